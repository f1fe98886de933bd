#include "transport/peer_config_from_sdp.hpp"

#include <algorithm>

#include "sdp/candidate.hpp"

namespace rrtc::transport {

const char* to_string(SdpTransportError error) noexcept {
  switch (error) {
    case SdpTransportError::None:
      return "none";
    case SdpTransportError::BadIceCredentials:
      return "bad ICE credentials";
    case SdpTransportError::NoUsableFingerprint:
      return "no usable fingerprint";
  }
  return "unknown";
}

std::optional<PeerConfig> peer_config_from(const sdp::RemoteTransport& remote, dtls::Role role,
                                           SdpTransportError* error) {
  SdpTransportError ignored = SdpTransportError::None;
  SdpTransportError& result = error != nullptr ? *error : ignored;
  result = SdpTransportError::None;
  PeerConfig config;
  config.remote_credentials = {remote.ice_ufrag, remote.ice_pwd};
  if (!ice::valid_credentials(config.remote_credentials)) {
    result = SdpTransportError::BadIceCredentials;
    return std::nullopt;
  }
  for (const sdp::Fingerprint& fingerprint : remote.fingerprints) {
    if (auto parsed = dtls::Fingerprint::parse(fingerprint.algorithm, fingerprint.value)) {
      config.dtls.remote_fingerprints.push_back(std::move(*parsed));
    }
  }
  if (config.dtls.remote_fingerprints.empty()) {
    result = SdpTransportError::NoUsableFingerprint;
    return std::nullopt;
  }
  config.dtls.role = role;
  return config;
}

DataChannelConfig data_channel_config_from(const sdp::NegotiatedMedia& application,
                                           std::uint64_t local_max_message_size) {
  const auto capped = [](std::uint64_t size) {
    return static_cast<std::size_t>(std::min<std::uint64_t>(size, kUnlimitedMessageSize));
  };
  DataChannelConfig config;
  config.local_port = application.sctp_port;
  config.remote_port = application.sctp_port;
  config.max_message_size =
      local_max_message_size == 0 ? kUnlimitedMessageSize : capped(local_max_message_size);
  config.remote_max_message_size =
      application.max_message_size == 0 ? 0 : capped(application.max_message_size);
  return config;
}

std::vector<std::string> remote_candidates_from(const sdp::RemoteTransport& remote) {
  std::vector<std::string> lines;
  lines.reserve(remote.candidates.size() + 1);
  for (const sdp::Candidate& candidate : remote.candidates)
    lines.push_back(sdp::to_string(candidate));
  if (remote.end_of_candidates) lines.emplace_back();
  return lines;
}

}  // namespace rrtc::transport
