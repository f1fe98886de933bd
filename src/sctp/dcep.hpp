#pragma once
// The Data Channel Establishment Protocol (RFC 8832) and the SCTP payload protocol identifiers a
// WebRTC data channel uses (RFC 8831 section 8). Pure: bytes in, values out; no allocation beyond
// the label and protocol strings of a parsed DATA_CHANNEL_OPEN.
//
// DATA_CHANNEL_OPEN (RFC 8832 section 5.1):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Message Type |  Channel Type |            Priority           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Reliability Parameter                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Label Length          |       Protocol Length         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                             Label                             |
//   |                           Protocol                            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Message Type 0x03. DATA_CHANNEL_ACK (section 5.2) is the single byte 0x02.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

namespace rrtc::sctp {

// SCTP payload protocol identifiers (RFC 8831 section 8, RFC 8832 section 8.1).
enum class Ppid : std::uint32_t {
  Dcep = 50,
  String = 51,
  BinaryPartial = 52,  // deprecated; accepted on input as binary
  Binary = 53,
  StringPartial = 54,  // deprecated; accepted on input as text
  StringEmpty = 56,    // an empty text message (SCTP cannot carry zero bytes)
  BinaryEmpty = 57,
};

// How a channel delivers: ordered or not, and how it gives up (RFC 8832 section 5.1).
enum class Reliability : std::uint8_t {
  Reliable,           // retransmit until acknowledged
  MaxRetransmits,     // PR-SCTP "rtx": at most `reliability_parameter` retransmissions
  MaxPacketLifetime,  // PR-SCTP "ttl": give up after `reliability_parameter` milliseconds
};

struct ChannelParameters {
  bool ordered = true;
  Reliability reliability = Reliability::Reliable;
  // Retransmissions or milliseconds, as `reliability` says; ignored (and sent as 0) for Reliable.
  std::uint32_t reliability_parameter = 0;
  std::uint16_t priority = 256;  // RFC 8832 section 5.1: "normal"

  friend bool operator==(const ChannelParameters&, const ChannelParameters&) = default;
};

struct DcepOpen {
  ChannelParameters parameters;
  std::string label;
  std::string protocol;

  friend bool operator==(const DcepOpen&, const DcepOpen&) = default;
};

struct DcepAck {
  friend bool operator==(const DcepAck&, const DcepAck&) = default;
};

using DcepMessage = std::variant<DcepOpen, DcepAck>;

enum class DcepError {
  Empty,
  UnknownMessageType,
  Truncated,      // shorter than its header or than the lengths it declares
  TrailingBytes,  // longer than the lengths it declares
  UnknownChannelType,
};

const char* to_string(DcepError error) noexcept;

inline constexpr std::size_t kDcepOpenHeaderSize = 12;
inline constexpr std::uint8_t kDcepOpenType = 0x03;
inline constexpr std::uint8_t kDcepAckType = 0x02;

// Parses one DCEP message (the payload of one PPID 50 SCTP message). Never throws.
struct DcepParseResult {
  std::optional<DcepMessage> message;
  DcepError error = DcepError::Empty;  // meaningful only without a message
};
DcepParseResult parse_dcep(std::span<const std::uint8_t> payload);

// Writers: serialized_size() then write_to(buffer) (returns the bytes written, 0 when the buffer
// is too small or a string exceeds 65,535 bytes).
std::size_t serialized_size(const DcepOpen& open) noexcept;
std::size_t write_to(const DcepOpen& open, std::span<std::uint8_t> buffer) noexcept;
std::size_t write_to(const DcepAck& ack, std::span<std::uint8_t> buffer) noexcept;

}  // namespace rrtc::sctp
