#include "transport/peer_listener.hpp"

namespace rrtc::transport {

const char* to_string(PeerState state) noexcept {
  switch (state) {
    case PeerState::New:
      return "new";
    case PeerState::Connecting:
      return "connecting";
    case PeerState::Connected:
      return "connected";
    case PeerState::Failed:
      return "failed";
    case PeerState::Closed:
      return "closed";
  }
  return "unknown";
}

}  // namespace rrtc::transport
