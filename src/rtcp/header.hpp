// The RTCP common header (RFC 3550 section 6.4.1) and what every message parser shares.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  count  |      PT       |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// length: the packet's size in 32-bit words minus one, header and padding included.
// count: RC/SC for reports, SDES and BYE; FMT for feedback (RFC 4585); subtype for APP.
#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

namespace rrtc::rtcp {

enum class ParseError : std::uint8_t {
  kTooShort = 1,   // fewer bytes than the header or the message's fixed part
  kBadVersion,     // V != 2
  kLengthPastEnd,  // the length field points past the end of the datagram
  kBadPadding,     // P set with a zero count or more padding than body
  kBadCount,       // a count/list does not fit the length
  kBadLength,      // a length that the message type does not allow
  kBadItem,        // a malformed SDES item, BYE reason or transport-cc content
  kUnknownFormat,  // not the message type asked for (used by typed parse functions)
};

const char* to_string(ParseError error) noexcept;

template <typename T>
using Result = boost::system::result<T, ParseError>;

enum class PacketType : std::uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kRtpFeedback = 205,  // RFC 4585 transport layer feedback
  kPsFeedback = 206,   // RFC 4585 payload-specific feedback
};

struct Header {
  bool padding = false;
  std::uint8_t count = 0;
  std::uint8_t type = 0;
  std::uint16_t length_words = 0;
};

// One validated RTCP packet inside a compound. body: the bytes after the 4-byte header,
// without padding. bytes: the whole packet, header and padding included.
struct RawPacket {
  Header header;
  std::span<const std::uint8_t> body;
  std::span<const std::uint8_t> bytes;
};

// Reads the packet at the start of `data` (more may follow).
Result<RawPacket> parse_raw(std::span<const std::uint8_t> data) noexcept;

// Writes a common header for a packet of `total_size` bytes (a multiple of 4, >= 4).
void write_header(std::uint8_t* out, std::uint8_t count, std::uint8_t type,
                  std::size_t total_size) noexcept;

inline constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

}  // namespace rrtc::rtcp
