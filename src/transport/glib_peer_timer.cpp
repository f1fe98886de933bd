#include "transport/glib_peer_timer.hpp"

#include <chrono>

#include "transport/peer.hpp"

namespace rrtc::transport {

void GlibPeerTimer::arm(std::optional<time::Timestamp> deadline) {
  handle_.cancel();
  if (!deadline) return;
  // GLib timers have millisecond resolution: round up so the Peer is never woken early.
  const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now());
  handle_ = loop_.add_timer(std::max(delay, std::chrono::milliseconds(0)), [this] { fire(); });
}

void GlibPeerTimer::fire() {
  // handle_timeout() re-arms through arm(), which replaces (and destroys) the source running
  // now; GLib keeps its callback data alive until the dispatch returns.
  if (peer_ != nullptr) peer_->handle_timeout(now());
}

}  // namespace rrtc::transport
