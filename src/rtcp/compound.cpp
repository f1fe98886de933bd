#include "rtcp/compound.hpp"

#include <algorithm>

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {
namespace {

template <typename T>
Result<Packet> wrap(Result<T> parsed) {
  if (!parsed) return parsed.error();
  return Packet(std::move(*parsed));
}

}  // namespace

Result<Packet> parse_packet(const RawPacket& raw) noexcept {
  switch (static_cast<PacketType>(raw.header.type)) {
    case PacketType::kSenderReport:
      return wrap(SenderReport::parse(raw));
    case PacketType::kReceiverReport:
      return wrap(ReceiverReport::parse(raw));
    case PacketType::kSdes:
      return wrap(Sdes::parse(raw));
    case PacketType::kBye:
      return wrap(Bye::parse(raw));
    case PacketType::kApp:
      return wrap(App::parse(raw));
    case PacketType::kRtpFeedback:
      if (raw.header.count == kFmtNack) return wrap(Nack::parse(raw));
      if (raw.header.count == kFmtTransportCc) return wrap(TransportCc::parse(raw));
      break;
    case PacketType::kPsFeedback:
      if (raw.header.count == kFmtPli) return wrap(Pli::parse(raw));
      if (raw.header.count == kFmtFir) return wrap(Fir::parse(raw));
      if (raw.header.count == kFmtAfb) {
        auto remb = Remb::parse(raw);
        // Other application-layer feedback is passed through.
        if (remb || remb.error() != ParseError::kUnknownFormat) return wrap(std::move(remb));
      }
      break;
  }
  // Feedback still needs its two SSRCs (RFC 4585 section 6.1), whatever the format.
  const bool feedback = raw.header.type == static_cast<std::uint8_t>(PacketType::kRtpFeedback) ||
                        raw.header.type == static_cast<std::uint8_t>(PacketType::kPsFeedback);
  if (feedback && raw.body.size() < 8) return ParseError::kTooShort;
  return Packet(UnknownPacket{raw.header, raw.bytes});
}

std::optional<Packet> CompoundReader::next() noexcept {
  if (rest_.empty() || error_) return std::nullopt;
  const auto raw = parse_raw(rest_);
  if (!raw) {
    error_ = raw.error();
    return std::nullopt;
  }
  auto packet = parse_packet(*raw);
  if (!packet) {
    error_ = packet.error();
    return std::nullopt;
  }
  last_ = raw->bytes;
  rest_ = rest_.subspan(raw->bytes.size());
  return std::move(*packet);
}

bool CompoundWriter::append(const UnknownPacket& packet) noexcept {
  if (packet.bytes.size() > out_.size() - used_) return false;
  std::copy(packet.bytes.begin(), packet.bytes.end(),
            out_.begin() + static_cast<std::ptrdiff_t>(used_));
  used_ += packet.bytes.size();
  return true;
}

bool CompoundWriter::append(const Packet& packet) noexcept {
  return std::visit([this](const auto& message) { return append(message); }, packet);
}

}  // namespace rrtc::rtcp
