#pragma once
// The production PeerFactory: each Peer on a libnice agent (ice::NiceTransport) on the worker's
// GLib context, with the resolved ICE configuration, the worker's io_uring send ring (if any) and
// the process certificate.
//
// Threading: create() and set_send_ring() on the worker's thread; agents_alive() anywhere.

#include <chrono>
#include <memory>

#include "dtls/certificate.hpp"
#include "io/glib_loop.hpp"
#include "transport/ice_settings.hpp"
#include "transport/peer_factory.hpp"

namespace rrtc::io {
class SendRing;
}

namespace rrtc::transport {

class NicePeerFactory final : public PeerFactory {
 public:
  // `loop` (and `ring`, when set) must outlive every Peer created. The configuration is copied.
  NicePeerFactory(
      io::GlibLoop& loop, const IceConfig& config,
      std::shared_ptr<const dtls::Certificate> certificate = dtls::Certificate::shared(),
      io::SendRing* ring = nullptr);

  std::unique_ptr<Peer> create(PeerTimer& timer, PeerListener& listener) override;

  // The worker's io_uring (nullable), for the Peers created from now on: the ring is created on
  // the worker's thread after the factory.
  void set_send_ring(io::SendRing* ring) noexcept { ring_ = ring; }

  const std::shared_ptr<const dtls::Certificate>& certificate() const noexcept {
    return certificate_;
  }

  // libnice agents of the whole process not yet released: they free their TURN allocations
  // asynchronously after their Peer is gone, so a worker spins its loop until this reaches zero
  // before stopping it. Thread-safe.
  static int agents_alive() noexcept;

  // The configuration for an agent created at wall-clock time `now`: the resolved one, with
  // fresh TURN credentials when config.turn->mint is set (ephemeral credentials). On the
  // worker's thread; valid until the next call.
  const IceConfig& config_for_new_agent(std::chrono::system_clock::time_point now);

 private:
  io::GlibLoop& loop_;
  IceConfig config_;
  std::shared_ptr<const dtls::Certificate> certificate_;
  io::SendRing* ring_ = nullptr;
};

}  // namespace rrtc::transport
