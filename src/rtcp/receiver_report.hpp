// RFC 3550 section 6.4.2, RR: receiver report.
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    RC   |   PT=RR=201   |             length            |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                     SSRC of packet sender                     |
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

struct ReceiverReport {
  std::uint32_t sender_ssrc = 0;
  WireList<ReportBlock> report_blocks;
  std::span<const std::uint8_t> extension;

  static Result<ReceiverReport> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const ReceiverReport& a, const ReceiverReport& b) {
    return a.sender_ssrc == b.sender_ssrc && a.report_blocks == b.report_blocks &&
           std::equal(a.extension.begin(), a.extension.end(), b.extension.begin(),
                      b.extension.end());
  }
};

}  // namespace rrtc::rtcp
