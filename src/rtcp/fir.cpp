#include "rtcp/fir.hpp"

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {

Result<Fir> Fir::parse(const RawPacket& raw) noexcept {
  if (!is_feedback(raw, PacketType::kPsFeedback, kFmtFir)) return ParseError::kUnknownFormat;
  const auto body = raw.body;
  if (body.size() < 8 + 8) return ParseError::kTooShort;
  if ((body.size() - 8) % 8 != 0) return ParseError::kBadLength;
  Fir fir;
  fir.sender_ssrc = load_be32(&body[0]);
  fir.media_ssrc = load_be32(&body[4]);
  fir.entries = WireList<FirEntry>::from_wire(body.subspan(8));
  return fir;
}

std::size_t Fir::serialized_size() const noexcept {
  if (entries.empty()) return 0;
  return 12 + entries.wire_size();
}

std::size_t Fir::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size() || size > 4 * 0x10000) return 0;
  write_feedback_header(out.data(), PacketType::kPsFeedback, kFmtFir, size, sender_ssrc,
                        media_ssrc);
  entries.write(out.data() + 12);
  return size;
}

}  // namespace rrtc::rtcp
