#pragma once
// The Peer's only view of time. The Peer never reads a clock itself: it asks its PeerTimer for
// `now` when an ICE event arrives (DTLS needs it) and tells it when to call
// Peer::handle_timeout() next. LoopPeerTimer implements it over an io::EventLoop: the steady
// clock on a media worker's GlibLoop, a simulated clock that only moves when the test says so on
// a SimLoop.

#include <optional>

#include "time/media_time.hpp"

namespace rrtc::transport {

class PeerTimer {
 public:
  // The current media time on the worker's clock (the steady clock in production).
  virtual time::Timestamp now() const = 0;
  // Asks for Peer::handle_timeout(now()) at or after `deadline`, replacing any earlier request;
  // nullopt cancels it. Called by the Peer from its own methods; must not call back into it.
  virtual void arm(std::optional<time::Timestamp> deadline) = 0;

 protected:
  ~PeerTimer() = default;
};

}  // namespace rrtc::transport
