#include "transport/nice_peer_factory.hpp"

#include <utility>

#include "ice/nice_transport.hpp"

namespace rrtc::transport {

NicePeerFactory::NicePeerFactory(io::GlibLoop& loop, const IceConfig& config,
                                 std::shared_ptr<const dtls::Certificate> certificate,
                                 io::SendRing* ring)
    : loop_(loop), config_(config), certificate_(std::move(certificate)), ring_(ring) {}

std::unique_ptr<Peer> NicePeerFactory::create(PeerTimer& timer, PeerListener& listener) {
  // NiceTransport::create logs why libnice refused.
  auto ice = ice::NiceTransport::create(loop_.context(), config_);
  if (ice == nullptr) return nullptr;
  ice->set_send_ring(ring_);
  return std::make_unique<Peer>(std::move(ice), certificate_, timer, listener);
}

int NicePeerFactory::agents_alive() noexcept { return ice::NiceTransport::agents_alive(); }

}  // namespace rrtc::transport
