// RFC 3550 section 6.6, BYE: goodbye.
//
//        0                   1                   2                   3
//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |V=2|P|    SC   |   PT=BYE=203  |             length            |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                           SSRC/CSRC                           |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       :                              ...                              :
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// (opt) |     length    |               reason for leaving            ...
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "rtcp/header.hpp"
#include "rtcp/wire_list.hpp"

namespace rrtc::rtcp {

struct Bye {
  WireList<std::uint32_t> ssrcs;  // at most 31
  std::string_view reason;        // at most 255 bytes; empty = no reason field

  static Result<Bye> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const Bye& a, const Bye& b) {
    return a.ssrcs == b.ssrcs && a.reason == b.reason;
  }
};

}  // namespace rrtc::rtcp
