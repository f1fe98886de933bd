#include "sdp/codec_match.hpp"

#include "sdp/text.hpp"

namespace rrtc::sdp {

std::optional<std::string_view> fmtp_value(const std::vector<FmtpParam>& fmtp,
                                           std::string_view key) {
  for (const FmtpParam& param : fmtp) {
    if (param.has_value && param.key == key) {
      return std::string_view(param.value);
    }
  }
  return std::nullopt;
}

bool is_rtx(const Codec& codec) { return text::iequals(codec.name, "rtx"); }
bool is_red(const Codec& codec) { return text::iequals(codec.name, "red"); }

std::optional<std::uint8_t> rtx_apt(const Codec& codec) {
  const auto apt = fmtp_value(codec.fmtp, "apt");
  if (!apt) return std::nullopt;
  const auto pt = text::to_uint<std::uint8_t>(*apt);
  if (!pt || *pt > 127) return std::nullopt;
  return pt;
}

// RFC 2198 section 5 as used for Opus: "a=fmtp:63 111/111".
std::vector<std::uint8_t> red_payload_types(const Codec& codec) {
  std::vector<std::uint8_t> types;
  for (const FmtpParam& param : codec.fmtp) {
    if (param.has_value) continue;
    for (std::string_view piece : text::split(param.key, '/')) {
      const auto pt = text::to_uint<std::uint8_t>(piece);
      if (!pt || *pt > 127) return {};
      types.push_back(*pt);
    }
  }
  return types;
}

namespace {

struct ProfilePattern {
  std::uint8_t profile_idc;
  std::uint8_t iop_mask;   // bits that must match
  std::uint8_t iop_value;  // their value
  H264Profile profile;
};

// profile_iop bit patterns from RFC 6184 table 5 / WebRTC's h264_profile_level_id.cc:
// 'x' bits are free, the rest fixed.
constexpr ProfilePattern kProfilePatterns[] = {
    {0x42, 0x4f, 0x40, H264Profile::constrained_baseline},  // x1xx0000
    {0x4d, 0x8f, 0x80, H264Profile::constrained_baseline},  // 1xxx0000
    {0x58, 0xcf, 0xc0, H264Profile::constrained_baseline},  // 11xx0000
    {0x42, 0x4f, 0x00, H264Profile::baseline},              // x0xx0000
    {0x58, 0xcf, 0x80, H264Profile::baseline},              // 10xx0000
    {0x4d, 0xaf, 0x00, H264Profile::main},                  // 0x0x0000
    {0x64, 0xff, 0x00, H264Profile::high},                  // 00000000
    {0x64, 0xff, 0x0c, H264Profile::constrained_high},      // 00001100
};

std::optional<std::uint8_t> hex_byte(std::string_view two) {
  std::uint8_t value = 0;
  for (char c : two) {
    value = static_cast<std::uint8_t>(value << 4);
    if (c >= '0' && c <= '9')
      value |= static_cast<std::uint8_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      value |= static_cast<std::uint8_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      value |= static_cast<std::uint8_t>(c - 'A' + 10);
    else
      return std::nullopt;
  }
  return value;
}

bool same_fmtp(const Codec& offered, const CodecCapability& supported, std::string_view key,
               std::string_view fallback) {
  return fmtp_value(offered.fmtp, key).value_or(fallback) ==
         fmtp_value(supported.fmtp, key).value_or(fallback);
}

bool h264_matches(const Codec& offered, const CodecCapability& supported) {
  if (!same_fmtp(offered, supported, "packetization-mode", "0")) return false;
  const auto a = parse_profile_level_id(fmtp_value(offered.fmtp, "profile-level-id"));
  const auto b = parse_profile_level_id(fmtp_value(supported.fmtp, "profile-level-id"));
  if (!a || !b || a->profile != b->profile) return false;
  return a->profile != H264Profile::other || a->profile_idc == b->profile_idc;
}

}  // namespace

std::optional<H264ProfileLevel> parse_profile_level_id(std::optional<std::string_view> value) {
  const std::string_view text = value.value_or("42000a");
  if (text.size() != 6) return std::nullopt;
  const auto idc = hex_byte(text.substr(0, 2));
  const auto iop = hex_byte(text.substr(2, 2));
  const auto level = hex_byte(text.substr(4, 2));
  if (!idc || !iop || !level) return std::nullopt;
  H264ProfileLevel result{H264Profile::other, *idc, *level};
  for (const ProfilePattern& pattern : kProfilePatterns) {
    if (pattern.profile_idc == *idc && (*iop & pattern.iop_mask) == pattern.iop_value) {
      result.profile = pattern.profile;
      break;
    }
  }
  return result;
}

bool codec_matches(const Codec& offered, const CodecCapability& supported) {
  if (!text::iequals(offered.name, supported.name) || offered.clock_rate != supported.clock_rate) {
    return false;
  }
  if (supported.kind == MediaKind::audio && std::max<std::uint16_t>(offered.channels, 1) !=
                                                std::max<std::uint16_t>(supported.channels, 1)) {
    return false;
  }
  if (text::iequals(supported.name, "VP9")) {
    return same_fmtp(offered, supported, "profile-id", "0");
  }
  if (text::iequals(supported.name, "AV1")) {
    return same_fmtp(offered, supported, "profile", "0");
  }
  if (text::iequals(supported.name, "H264")) {
    return h264_matches(offered, supported);
  }
  return true;
}

}  // namespace rrtc::sdp
