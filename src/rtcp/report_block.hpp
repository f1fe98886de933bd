// RFC 3550 section 6.4.1 report block, carried by SR and RR.
//
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 SSRC_1 (SSRC of first source)                 |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | fraction lost |       cumulative number of packets lost       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           extended highest sequence number received           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      interarrival jitter                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         last SR (LSR)                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   delay since last SR (DLSR)                  |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
#pragma once

#include <cstdint>

#include "rtcp/wire_list.hpp"

namespace rrtc::rtcp {

struct ReportBlock {
  std::uint32_t ssrc = 0;
  std::uint8_t fraction_lost = 0;
  std::int32_t cumulative_lost = 0;  // 24-bit signed on the wire; clamped when written
  std::uint32_t extended_highest_seq = 0;
  std::uint32_t jitter = 0;
  std::uint32_t last_sr = 0;
  std::uint32_t delay_since_last_sr = 0;  // 1/65536 s

  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

template <>
struct WireCodec<ReportBlock> {
  static constexpr std::size_t kSize = 24;
  static ReportBlock read(const std::uint8_t* p);
  static void write(std::uint8_t* p, const ReportBlock& block);
};

// RC is 5 bits.
inline constexpr std::size_t kMaxReportBlocks = 31;

}  // namespace rrtc::rtcp
