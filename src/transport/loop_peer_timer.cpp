#include "transport/loop_peer_timer.hpp"

#include "transport/peer.hpp"

namespace rrtc::transport {

void LoopPeerTimer::arm(std::optional<time::Timestamp> deadline) {
  armed_ = deadline;
  if (!deadline) {
    handle_.cancel();
    return;
  }
  // Replacing the handle cancels the previous request.
  handle_ = loop_.add_timer(*deadline, [this] { fire(); });
}

void LoopPeerTimer::fire() {
  // handle_timeout() may re-arm through arm(), replacing the handle of the timer running now:
  // every EventLoop allows that from the timer's own callback.
  armed_.reset();
  if (peer_ != nullptr) peer_->handle_timeout(loop_.now());
}

}  // namespace rrtc::transport
