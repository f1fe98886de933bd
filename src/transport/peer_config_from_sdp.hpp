#pragma once
// The bridge from the SDP negotiator's output (sdp::RemoteTransport, the remote side's
// BUNDLE-tagged transport attributes) to the Peer's inputs. Kept apart so the Peer itself knows
// nothing of SDP.

#include <optional>
#include <string>
#include <vector>

#include "sdp/negotiator.hpp"
#include "transport/peer_config.hpp"

namespace rrtc::transport {

enum class SdpTransportError {
  None,
  BadIceCredentials,    // missing or out of RFC 8839 section 5.4's bounds
  NoUsableFingerprint,  // no a=fingerprint with a hash we can check and the right length
};

const char* to_string(SdpTransportError error) noexcept;

// The remote ICE credentials and every usable a=fingerprint (others are skipped, RFC 8122
// section 5 lets the peer list several); `role` is ours (Passive when we answered). The DTLS
// timers and SRTP profiles keep their defaults. `error` (optional) says why on nullopt.
std::optional<PeerConfig> peer_config_from(const sdp::RemoteTransport& remote, dtls::Role role,
                                           SdpTransportError* error = nullptr);

// The candidates the SDP carried, as Peer::add_remote_candidate() takes them, followed by ""
// (end-of-candidates) when the SDP said a=end-of-candidates.
std::vector<std::string> remote_candidates_from(const sdp::RemoteTransport& remote);

}  // namespace rrtc::transport
