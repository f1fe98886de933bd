// RFC 5104 section 4.3.1, Full Intra Request (PSFB, FMT=4). The header's media SSRC is 0;
// the FCI holds one or more entries:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                              SSRC                             |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    | Seq nr.       |    Reserved                                   |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>
#include <span>

#include "rtcp/header.hpp"
#include "rtcp/wire_list.hpp"

namespace rrtc::rtcp {

struct FirEntry {
  std::uint32_t ssrc = 0;
  std::uint8_t seq_nr = 0;
  friend bool operator==(const FirEntry&, const FirEntry&) = default;
};

template <>
struct WireCodec<FirEntry> {
  static constexpr std::size_t kSize = 8;
  static FirEntry read(const std::uint8_t* p) {
    return FirEntry{WireCodec<std::uint32_t>::read(p), p[4]};
  }
  static void write(std::uint8_t* p, const FirEntry& entry) {
    WireCodec<std::uint32_t>::write(p, entry.ssrc);
    p[4] = entry.seq_nr;
    p[5] = p[6] = p[7] = 0;
  }
};

struct Fir {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;  // 0 per RFC 5104; kept as received
  WireList<FirEntry> entries;    // at least one

  static Result<Fir> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const Fir& a, const Fir& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc && a.entries == b.entries;
  }
};

}  // namespace rrtc::rtcp
