#pragma once
// PeerTimer over any io::EventLoop: the loop's clock (the steady clock on a GlibLoop, the
// simulated one on a SimLoop), and one loop timer that calls Peer::handle_timeout() when the
// Peer's deadline comes (never before it).
//
// Threading: the loop's thread only, like the Peer. Ownership: the owner keeps the timer and its
// Peer together and destroys the Peer first (the Peer cancels its timer on destruction); a timer
// that outlives its Peer must be detached with set_peer(nullptr). Allocation: arm() allocates a
// loop timer; the Peer re-arms only when its deadline changes (never per packet).

#include <optional>

#include "io/event_loop.hpp"
#include "time/media_time.hpp"
#include "transport/peer_timer.hpp"

namespace rrtc::transport {

class Peer;

class LoopPeerTimer final : public PeerTimer {
 public:
  explicit LoopPeerTimer(io::EventLoop& loop) : loop_(loop) {}
  LoopPeerTimer(const LoopPeerTimer&) = delete;
  LoopPeerTimer& operator=(const LoopPeerTimer&) = delete;
  ~LoopPeerTimer() = default;

  // The Peer the timer drives; set it right after creating the Peer.
  void set_peer(Peer* peer) noexcept { peer_ = peer; }

  time::Timestamp now() const override { return loop_.now(); }
  void arm(std::optional<time::Timestamp> deadline) override;

  // The deadline armed and not yet fired; nullopt when none.
  std::optional<time::Timestamp> armed() const noexcept {
    return handle_.pending() ? armed_ : std::nullopt;
  }

 private:
  void fire();

  io::EventLoop& loop_;
  Peer* peer_ = nullptr;
  io::TimerHandle handle_;
  std::optional<time::Timestamp> armed_;
};

}  // namespace rrtc::transport
