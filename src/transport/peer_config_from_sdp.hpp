#pragma once
// The bridge from the SDP negotiator's output (sdp::RemoteTransport, the remote side's
// BUNDLE-tagged transport attributes) to the Peer's inputs. Kept apart so the Peer itself knows
// nothing of SDP.

#include <optional>
#include <string>
#include <vector>

#include "sdp/negotiator.hpp"
#include "transport/data_channel.hpp"
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

// Data channel parameters from an accepted application m-line of the answer: its a=sctp-port for
// both sides (our answer repeats the offer's), the remote's a=max-message-size (64 KiB when it
// sent none, 0 for no limit; anything above kUnlimitedMessageSize is capped) and ours,
// `local_max_message_size` (what our answer advertised, capped alike).
DataChannelConfig data_channel_config_from(const sdp::NegotiatedMedia& application,
                                           std::uint64_t local_max_message_size);

// The candidates the SDP carried, as Peer::add_remote_candidate() takes them, followed by ""
// (end-of-candidates) when the SDP said a=end-of-candidates.
std::vector<std::string> remote_candidates_from(const sdp::RemoteTransport& remote);

}  // namespace rrtc::transport
