#pragma once
// PeerTimer on a media worker's loop: the steady clock, and one GLib timer that calls
// Peer::handle_timeout() when the Peer's deadline comes.
//
// Threading: the loop's thread only, like the Peer. Ownership: the owner keeps the timer and its
// Peer together and destroys the Peer first (the Peer cancels its timer on destruction); a timer
// that outlives its Peer must be detached with set_peer(nullptr).

#include "io/glib_loop.hpp"
#include "transport/peer_timer.hpp"

namespace rrtc::transport {

class Peer;

class GlibPeerTimer final : public PeerTimer {
 public:
  explicit GlibPeerTimer(io::GlibLoop& loop) : loop_(loop) {}
  GlibPeerTimer(const GlibPeerTimer&) = delete;
  GlibPeerTimer& operator=(const GlibPeerTimer&) = delete;
  ~GlibPeerTimer() = default;

  // The Peer the timer drives; set it right after constructing the Peer.
  void set_peer(Peer* peer) noexcept { peer_ = peer; }

  time::Timestamp now() const override {
    return std::chrono::time_point_cast<time::Duration>(time::Clock::now());
  }
  void arm(std::optional<time::Timestamp> deadline) override;

 private:
  void fire();

  io::GlibLoop& loop_;
  Peer* peer_ = nullptr;
  io::TimerHandle handle_;
};

}  // namespace rrtc::transport
