#include "transport/nice_peer_factory.hpp"

#include <chrono>
#include <utility>

#include "ice/nice_transport.hpp"

namespace rrtc::transport {

NicePeerFactory::NicePeerFactory(io::GlibLoop& loop, const IceConfig& config,
                                 std::shared_ptr<const dtls::Certificate> certificate,
                                 io::SendRing* ring)
    : loop_(loop), config_(config), certificate_(std::move(certificate)), ring_(ring) {}

std::unique_ptr<Peer> NicePeerFactory::create(PeerTimer& timer, PeerListener& listener) {
  // NiceTransport::create logs why libnice refused.
  auto ice = ice::NiceTransport::create(loop_,
                                        config_for_new_agent(std::chrono::system_clock::now()));
  if (ice == nullptr) return nullptr;
  ice->set_send_ring(ring_);
  return std::make_unique<Peer>(std::move(ice), certificate_, timer, listener);
}

const IceConfig& NicePeerFactory::config_for_new_agent(std::chrono::system_clock::time_point now) {
  if (!config_.turn || !config_.turn->mint) return config_;
  // Ephemeral TURN credentials expire, and libnice refreshes an allocation with the credentials
  // it was given: minting them per agent keeps a long-running server's new Peers relaying (an
  // existing Peer keeps its allocation for the credentials' lifetime).
  auto credentials = config_.turn->mint(now);
  config_.turn->username = std::move(credentials.username);
  config_.turn->credential = std::move(credentials.credential);
  return config_;
}

int NicePeerFactory::agents_alive() noexcept { return ice::NiceTransport::agents_alive(); }

}  // namespace rrtc::transport
