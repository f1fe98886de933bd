// RFC 3550 section 6.4.1, SR: sender report.
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    RC   |   PT=SR=200   |             length            |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                         SSRC of sender                        |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// sender |              NTP timestamp, most significant word             |
// info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |             NTP timestamp, least significant word             |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                         RTP timestamp                         |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                     sender's packet count                     |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                      sender's octet count                     |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//        |                 report blocks (RC times, 24 bytes each)       |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//        |                  profile-specific extensions                  |
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "rtcp/header.hpp"
#include "rtcp/report_block.hpp"

namespace rrtc::rtcp {

struct SenderReport {
  std::uint32_t sender_ssrc = 0;
  std::uint64_t ntp_timestamp = 0;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
  WireList<ReportBlock> report_blocks;      // at most kMaxReportBlocks when written
  std::span<const std::uint8_t> extension;  // profile-specific, a multiple of 4 bytes

  static Result<SenderReport> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;  // 0 if it does not fit

  friend bool operator==(const SenderReport& a, const SenderReport& b) {
    return a.sender_ssrc == b.sender_ssrc && a.ntp_timestamp == b.ntp_timestamp &&
           a.rtp_timestamp == b.rtp_timestamp && a.packet_count == b.packet_count &&
           a.octet_count == b.octet_count && a.report_blocks == b.report_blocks &&
           std::equal(a.extension.begin(), a.extension.end(), b.extension.begin(),
                      b.extension.end());
  }
};

}  // namespace rrtc::rtcp
