// Whether an offered codec is one the server supports, following the fmtp rules of each
// payload format: VP9 profile-id (draft-ietf-payload-vp9 section 6), H264 packetization-mode and
// the profile part of profile-level-id (RFC 6184 section 8.1), AV1 profile (AV1 RTP spec 7.2).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sdp/capabilities.hpp"
#include "sdp/model.hpp"

namespace rrtc::sdp {

std::optional<std::string_view> fmtp_value(const std::vector<FmtpParam>& fmtp,
                                           std::string_view key);

bool is_rtx(const Codec& codec);
bool is_red(const Codec& codec);
// The payload type an rtx codec repairs (fmtp "apt").
std::optional<std::uint8_t> rtx_apt(const Codec& codec);
// The payload types a RED codec carries (fmtp "111/111").
std::vector<std::uint8_t> red_payload_types(const Codec& codec);

// H.264 profiles as WebRTC groups them: constrained baseline covers 42e0xx and 42c0xx, etc.
enum class H264Profile : std::uint8_t {
  constrained_baseline,
  baseline,
  main,
  constrained_high,
  high,
  other
};
struct H264ProfileLevel {
  H264Profile profile = H264Profile::constrained_baseline;
  std::uint8_t profile_idc = 0x42;
  std::uint8_t level_idc = 0x1f;
};
// Parses the 6 hex digits of profile-level-id; absent means 42000a (RFC 6184 section 8.1).
std::optional<H264ProfileLevel> parse_profile_level_id(std::optional<std::string_view> value);

bool codec_matches(const Codec& offered, const CodecCapability& supported);

}  // namespace rrtc::sdp
