#include "sctp/dcep.hpp"

#include <algorithm>

namespace rrtc::sctp {
namespace {

constexpr std::uint8_t kUnorderedBit = 0x80;

std::uint16_t load16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t load32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
void store16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void store32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::optional<Reliability> reliability_from_type(std::uint8_t low) noexcept {
  switch (low) {
    case 0x00:
      return Reliability::Reliable;
    case 0x01:
      return Reliability::MaxRetransmits;
    case 0x02:
      return Reliability::MaxPacketLifetime;
    default:
      return std::nullopt;
  }
}

std::uint8_t channel_type(const ChannelParameters& p) noexcept {
  const auto low = static_cast<std::uint8_t>(p.reliability);
  return static_cast<std::uint8_t>(p.ordered ? low : (low | kUnorderedBit));
}

DcepParseResult fail(DcepError error) { return {std::nullopt, error}; }

}  // namespace

const char* to_string(DcepError error) noexcept {
  switch (error) {
    case DcepError::Empty:
      return "empty DCEP message";
    case DcepError::UnknownMessageType:
      return "unknown DCEP message type";
    case DcepError::Truncated:
      return "truncated DCEP message";
    case DcepError::TrailingBytes:
      return "DCEP message longer than its lengths";
    case DcepError::UnknownChannelType:
      return "unknown DCEP channel type";
  }
  return "unknown DCEP error";
}

DcepParseResult parse_dcep(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return fail(DcepError::Empty);
  if (payload[0] == kDcepAckType) {
    // RFC 8832 section 5.2: the ACK is exactly one byte.
    if (payload.size() != 1) return fail(DcepError::TrailingBytes);
    return {DcepMessage{DcepAck{}}, DcepError::Empty};
  }
  if (payload[0] != kDcepOpenType) return fail(DcepError::UnknownMessageType);
  if (payload.size() < kDcepOpenHeaderSize) return fail(DcepError::Truncated);
  const std::uint8_t* p = payload.data();
  const auto reliability = reliability_from_type(static_cast<std::uint8_t>(p[1] & ~kUnorderedBit));
  if (!reliability) return fail(DcepError::UnknownChannelType);
  const std::size_t label_length = load16(p + 8);
  const std::size_t protocol_length = load16(p + 10);
  const std::size_t total = kDcepOpenHeaderSize + label_length + protocol_length;
  if (payload.size() < total) return fail(DcepError::Truncated);
  if (payload.size() > total) return fail(DcepError::TrailingBytes);
  DcepOpen open;
  open.parameters.ordered = (p[1] & kUnorderedBit) == 0;
  open.parameters.reliability = *reliability;
  open.parameters.priority = load16(p + 2);
  // Ignored for a reliable channel (RFC 8832 section 5.1); kept 0 so parse -> write -> parse is
  // the identity.
  open.parameters.reliability_parameter = *reliability == Reliability::Reliable ? 0 : load32(p + 4);
  const char* text = reinterpret_cast<const char*>(p + kDcepOpenHeaderSize);
  open.label.assign(text, label_length);
  open.protocol.assign(text + label_length, protocol_length);
  return {DcepMessage{std::move(open)}, DcepError::Empty};
}

std::size_t serialized_size(const DcepOpen& open) noexcept {
  return kDcepOpenHeaderSize + open.label.size() + open.protocol.size();
}

std::size_t write_to(const DcepOpen& open, std::span<std::uint8_t> buffer) noexcept {
  const std::size_t size = serialized_size(open);
  if (open.label.size() > 0xFFFF || open.protocol.size() > 0xFFFF || buffer.size() < size) {
    return 0;
  }
  std::uint8_t* p = buffer.data();
  p[0] = kDcepOpenType;
  p[1] = channel_type(open.parameters);
  store16(p + 2, open.parameters.priority);
  const bool reliable = open.parameters.reliability == Reliability::Reliable;
  store32(p + 4, reliable ? 0 : open.parameters.reliability_parameter);
  store16(p + 8, static_cast<std::uint16_t>(open.label.size()));
  store16(p + 10, static_cast<std::uint16_t>(open.protocol.size()));
  std::copy(open.label.begin(), open.label.end(), p + kDcepOpenHeaderSize);
  std::copy(open.protocol.begin(), open.protocol.end(),
            p + kDcepOpenHeaderSize + open.label.size());
  return size;
}

std::size_t write_to(const DcepAck& /*ack*/, std::span<std::uint8_t> buffer) noexcept {
  if (buffer.empty()) return 0;
  buffer[0] = kDcepAckType;
  return 1;
}

}  // namespace rrtc::sctp
