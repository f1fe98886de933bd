#include "rtcp/header.hpp"

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {

const char* to_string(ParseError error) noexcept {
  switch (error) {
    case ParseError::kTooShort:
      return "RTCP packet too short";
    case ParseError::kBadVersion:
      return "RTCP version is not 2";
    case ParseError::kLengthPastEnd:
      return "RTCP length runs past the end";
    case ParseError::kBadPadding:
      return "bad RTCP padding";
    case ParseError::kBadCount:
      return "RTCP count does not fit the length";
    case ParseError::kBadLength:
      return "RTCP length not allowed for this type";
    case ParseError::kBadItem:
      return "malformed RTCP item";
    case ParseError::kUnknownFormat:
      return "not this RTCP message type";
  }
  return "unknown RTCP parse error";
}

Result<RawPacket> parse_raw(std::span<const std::uint8_t> data) noexcept {
  if (data.size() < 4) return ParseError::kTooShort;
  if ((data[0] >> 6) != 2) return ParseError::kBadVersion;
  RawPacket raw;
  raw.header.padding = (data[0] & 0x20) != 0;
  raw.header.count = data[0] & 0x1F;
  raw.header.type = data[1];
  raw.header.length_words = load_be16(&data[2]);
  const std::size_t size = 4 * (std::size_t{raw.header.length_words} + 1);
  if (size > data.size()) return ParseError::kLengthPastEnd;
  raw.bytes = data.first(size);
  std::size_t padding = 0;
  if (raw.header.padding) {
    padding = raw.bytes.back();
    // RFC 3550 section 6.4.1: the last octet counts itself and the padding is within length.
    if (padding == 0 || padding > size - 4) return ParseError::kBadPadding;
  }
  raw.body = raw.bytes.subspan(4, size - 4 - padding);
  return raw;
}

void write_header(std::uint8_t* out, std::uint8_t count, std::uint8_t type,
                  std::size_t total_size) noexcept {
  out[0] = static_cast<std::uint8_t>(0x80 | (count & 0x1F));
  out[1] = type;
  store_be16(out + 2, static_cast<std::uint16_t>(total_size / 4 - 1));
}

}  // namespace rrtc::rtcp
