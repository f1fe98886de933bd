#include "rtcp/remb.hpp"

#include <bit>

#include "rtcp/feedback.hpp"

namespace rrtc::rtcp {
namespace {
constexpr std::uint8_t kIdentifier[4] = {'R', 'E', 'M', 'B'};
constexpr std::uint32_t kMantissaLimit = 1u << 18;
}  // namespace

Result<Remb> Remb::parse(const RawPacket& raw) noexcept {
  if (!is_feedback(raw, PacketType::kPsFeedback, kFmtAfb)) return ParseError::kUnknownFormat;
  const auto body = raw.body;
  if (body.size() < 16 || !std::equal(kIdentifier, kIdentifier + 4, &body[8])) {
    return ParseError::kUnknownFormat;
  }
  const std::size_t count = body[12];
  if (16 + 4 * count > body.size()) return ParseError::kBadCount;
  const unsigned exponent = body[13] >> 2;
  const std::uint64_t mantissa = load_be24(&body[13]) & (kMantissaLimit - 1);
  if (mantissa != 0 && exponent + static_cast<unsigned>(std::bit_width(mantissa)) > 64) {
    return ParseError::kBadItem;
  }
  Remb remb;
  remb.sender_ssrc = load_be32(&body[0]);
  remb.media_ssrc = load_be32(&body[4]);
  remb.bitrate_bps = mantissa << exponent;
  remb.ssrcs = WireList<std::uint32_t>::from_wire(body.subspan(16, 4 * count));
  return remb;
}

std::size_t Remb::serialized_size() const noexcept {
  if (ssrcs.size() > 255) return 0;
  return 20 + ssrcs.wire_size();
}

std::size_t Remb::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  write_feedback_header(p, PacketType::kPsFeedback, kFmtAfb, size, sender_ssrc, media_ssrc);
  std::copy(kIdentifier, kIdentifier + 4, p + 12);
  unsigned exponent = 0;
  while ((bitrate_bps >> exponent) >= kMantissaLimit) ++exponent;
  const auto mantissa = static_cast<std::uint32_t>(bitrate_bps >> exponent);
  p[16] = static_cast<std::uint8_t>(ssrcs.size());
  store_be24(p + 17, (exponent << 18) | mantissa);
  ssrcs.write(p + 20);
  return size;
}

}  // namespace rrtc::rtcp
