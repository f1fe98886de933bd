#include "rtcp/report_block.hpp"

#include <algorithm>

#include "rtcp/byte_io.hpp"

namespace rrtc::rtcp {

ReportBlock WireCodec<ReportBlock>::read(const std::uint8_t* p) {
  ReportBlock block;
  block.ssrc = load_be32(p);
  block.fraction_lost = p[4];
  // Sign-extend the 24-bit two's complement count (it goes negative with duplicates).
  std::uint32_t lost = load_be24(p + 5);
  if (lost & 0x800000) lost |= 0xFF000000;
  block.cumulative_lost = static_cast<std::int32_t>(lost);
  block.extended_highest_seq = load_be32(p + 8);
  block.jitter = load_be32(p + 12);
  block.last_sr = load_be32(p + 16);
  block.delay_since_last_sr = load_be32(p + 20);
  return block;
}

void WireCodec<ReportBlock>::write(std::uint8_t* p, const ReportBlock& block) {
  store_be32(p, block.ssrc);
  p[4] = block.fraction_lost;
  const auto lost = std::clamp<std::int32_t>(block.cumulative_lost, -0x800000, 0x7FFFFF);
  store_be24(p + 5, static_cast<std::uint32_t>(lost) & 0xFFFFFF);
  store_be32(p + 8, block.extended_highest_seq);
  store_be32(p + 12, block.jitter);
  store_be32(p + 16, block.last_sr);
  store_be32(p + 20, block.delay_since_last_sr);
}

}  // namespace rrtc::rtcp
