#include "signaling/relayed_session.hpp"

#include "signaling/hub.hpp"

namespace rrtc::signaling {

void RelayedSession::send(std::shared_ptr<const std::string> text) {
  if (ended_) return;
  if (auto hub = hub_.lock()) hub->relay_reply(*this, *text);
}

void RelayedSession::close(boost::beast::websocket::close_code code) {
  if (ended_) return;
  ended_ = true;
  if (auto hub = hub_.lock()) hub->relay_ended(*this, static_cast<int>(code));
}

void RelayedSession::drop(std::string_view) {
  close(boost::beast::websocket::close_code::going_away);
}

}  // namespace rrtc::signaling
