#include "rtcp/pli.hpp"

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {

Result<Pli> Pli::parse(const RawPacket& raw) noexcept {
  if (!is_feedback(raw, PacketType::kPsFeedback, kFmtPli)) return ParseError::kUnknownFormat;
  if (raw.body.size() < 8) return ParseError::kTooShort;
  if (raw.body.size() != 8) return ParseError::kBadLength;  // "PLI does not require parameters"
  return Pli{load_be32(&raw.body[0]), load_be32(&raw.body[4])};
}

std::size_t Pli::write_to(std::span<std::uint8_t> out) const noexcept {
  if (out.size() < 12) return 0;
  write_feedback_header(out.data(), PacketType::kPsFeedback, kFmtPli, 12, sender_ssrc, media_ssrc);
  return 12;
}

}  // namespace rrtc::rtcp
