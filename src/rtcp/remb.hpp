// draft-alvestrand-rmcat-remb-03 section 2.2, Receiver Estimated Maximum Bitrate
// (PSFB, FMT=15, application layer feedback identified by "REMB"):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P| FMT=15  |   PT=206      |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of packet sender                        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of media source (0)                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  Unique identifier 'R' 'E' 'M' 'B'                            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |   SSRC feedback (Num SSRC times)                              |
// bitrate (bits/s) = mantissa * 2^exp.
#pragma once

#include <cstdint>
#include <span>

#include "rtcp/header.hpp"
#include "rtcp/wire_list.hpp"

namespace rrtc::rtcp {

struct Remb {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  std::uint64_t bitrate_bps = 0;  // written rounded down to 18 significant bits
  WireList<std::uint32_t> ssrcs;  // at most 255

  // kUnknownFormat for PSFB FMT=15 messages that are not REMB; kBadItem when the bitrate
  // does not fit 64 bits.
  static Result<Remb> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const Remb& a, const Remb& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc &&
           a.bitrate_bps == b.bitrate_bps && a.ssrcs == b.ssrcs;
  }
};

}  // namespace rrtc::rtcp
