// What the server can receive and forward: codecs with their preferred payload types, RTCP
// feedback and header extensions. The negotiator intersects a client's offer with this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdp/model.hpp"

namespace rrtc::sdp {

struct CodecCapability {
  MediaKind kind = MediaKind::video;
  std::string name;  // compared case-insensitively
  std::uint32_t clock_rate = 90000;
  std::uint16_t channels = 0;
  std::uint8_t payload_type = 96;  // used in the server's own offers
  std::vector<FmtpParam> fmtp;     // profile-id, packetization-mode, profile-level-id, profile
  std::vector<RtcpFeedback> feedback;
  std::uint8_t rtx_payload_type = 0;  // 0: no RTX for this codec
};

struct ExtensionCapability {
  std::string uri;
  bool audio = false;
  bool video = false;
  std::uint16_t id = 0;  // used in the server's own offers
};

struct Capabilities {
  std::vector<CodecCapability> codecs;  // in preference order
  bool audio_red = true;                // RED (RFC 2198) over an accepted audio codec
  std::uint8_t audio_red_payload_type = 63;
  std::vector<ExtensionCapability> extensions;
  bool data_channels = true;
  std::uint64_t max_message_size = 2097152;  // our a=max-message-size: 2 MiB
};

namespace uri {
inline constexpr const char* kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr const char* kRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr const char* kRepairedRtpStreamId =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr const char* kAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr const char* kTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr const char* kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr const char* kVideoOrientation = "urn:3gpp:video-orientation";
inline constexpr const char* kPlayoutDelay =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
}  // namespace uri

// Opus, RED; VP8, VP9 profiles 0 and 2, H264 constrained baseline (packetization modes 1 and
// 0), AV1 profile 0, each video codec with RTX; nack, nack pli, ccm fir, goog-remb,
// transport-cc; the eight header extensions above.
Capabilities default_capabilities();

}  // namespace rrtc::sdp
