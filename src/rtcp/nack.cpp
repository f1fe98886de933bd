#include "rtcp/nack.hpp"

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {

Result<Nack> Nack::parse(const RawPacket& raw) noexcept {
  if (!is_feedback(raw, PacketType::kRtpFeedback, kFmtNack)) return ParseError::kUnknownFormat;
  const auto body = raw.body;
  if (body.size() < 8 + 4) return ParseError::kTooShort;  // RFC 4585: at least one FCI
  if ((body.size() - 8) % 4 != 0) return ParseError::kBadLength;
  Nack nack;
  nack.sender_ssrc = load_be32(&body[0]);
  nack.media_ssrc = load_be32(&body[4]);
  nack.items = WireList<NackItem>::from_wire(body.subspan(8));
  return nack;
}

std::size_t Nack::serialized_size() const noexcept {
  if (items.empty()) return 0;
  return 12 + items.wire_size();
}

std::size_t Nack::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size() || size > 4 * 0x10000) return 0;
  write_feedback_header(out.data(), PacketType::kRtpFeedback, kFmtNack, size, sender_ssrc,
                        media_ssrc);
  items.write(out.data() + 12);
  return size;
}

std::size_t pack_nack_items(std::span<const std::uint16_t> lost, std::span<NackItem> out) noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i < lost.size();) {
    if (count == out.size()) break;
    NackItem item{lost[i], 0};
    ++i;
    while (i < lost.size()) {
      const auto distance = static_cast<std::uint16_t>(lost[i] - item.pid);
      if (distance == 0) {  // a duplicate of the PID
        ++i;
        continue;
      }
      if (distance > 16) break;
      item.blp = static_cast<std::uint16_t>(item.blp | (1u << (distance - 1)));
      ++i;
    }
    out[count++] = item;
  }
  return count;
}

}  // namespace rrtc::rtcp
