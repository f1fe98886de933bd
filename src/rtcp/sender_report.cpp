#include "rtcp/sender_report.hpp"

#include <algorithm>

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {

Result<SenderReport> SenderReport::parse(const RawPacket& raw) noexcept {
  if (raw.header.type != static_cast<std::uint8_t>(PacketType::kSenderReport)) {
    return ParseError::kUnknownFormat;
  }
  const auto body = raw.body;
  if (body.size() < 24) return ParseError::kTooShort;
  const std::size_t blocks = raw.header.count * WireCodec<ReportBlock>::kSize;
  if (24 + blocks > body.size()) return ParseError::kBadCount;
  SenderReport sr;
  sr.sender_ssrc = load_be32(&body[0]);
  sr.ntp_timestamp = load_be64(&body[4]);
  sr.rtp_timestamp = load_be32(&body[12]);
  sr.packet_count = load_be32(&body[16]);
  sr.octet_count = load_be32(&body[20]);
  sr.report_blocks = WireList<ReportBlock>::from_wire(body.subspan(24, blocks));
  sr.extension = body.subspan(24 + blocks);
  return sr;
}

std::size_t SenderReport::serialized_size() const noexcept {
  if (report_blocks.size() > kMaxReportBlocks || extension.size() % 4 != 0) return 0;
  return 4 + 24 + report_blocks.wire_size() + extension.size();
}

std::size_t SenderReport::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  write_header(p, static_cast<std::uint8_t>(report_blocks.size()),
               static_cast<std::uint8_t>(PacketType::kSenderReport), size);
  store_be32(p + 4, sender_ssrc);
  store_be64(p + 8, ntp_timestamp);
  store_be32(p + 16, rtp_timestamp);
  store_be32(p + 20, packet_count);
  store_be32(p + 24, octet_count);
  p = report_blocks.write(p + 28);
  std::copy(extension.begin(), extension.end(), p);
  return size;
}

}  // namespace rrtc::rtcp
