#include "rtcp/receiver_report.hpp"

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {

Result<ReceiverReport> ReceiverReport::parse(const RawPacket& raw) noexcept {
  if (raw.header.type != static_cast<std::uint8_t>(PacketType::kReceiverReport)) {
    return ParseError::kUnknownFormat;
  }
  const auto body = raw.body;
  if (body.size() < 4) return ParseError::kTooShort;
  const std::size_t blocks = raw.header.count * WireCodec<ReportBlock>::kSize;
  if (4 + blocks > body.size()) return ParseError::kBadCount;
  ReceiverReport rr;
  rr.sender_ssrc = load_be32(&body[0]);
  rr.report_blocks = WireList<ReportBlock>::from_wire(body.subspan(4, blocks));
  rr.extension = body.subspan(4 + blocks);
  return rr;
}

std::size_t ReceiverReport::serialized_size() const noexcept {
  if (report_blocks.size() > kMaxReportBlocks || extension.size() % 4 != 0) return 0;
  return 4 + 4 + report_blocks.wire_size() + extension.size();
}

std::size_t ReceiverReport::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  write_header(p, static_cast<std::uint8_t>(report_blocks.size()),
               static_cast<std::uint8_t>(PacketType::kReceiverReport), size);
  store_be32(p + 4, sender_ssrc);
  p = report_blocks.write(p + 8);
  std::copy(extension.begin(), extension.end(), p);
  return size;
}

}  // namespace rrtc::rtcp
