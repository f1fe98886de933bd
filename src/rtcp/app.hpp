// RFC 3550 section 6.7, APP: application-defined. Passed through unchanged; the SFU does not
// interpret any application's data.
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P| subtype |   PT=APP=204  |             length            |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                           SSRC/CSRC                           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                          name (ASCII)                         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                   application-dependent data                ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

#include "rtcp/header.hpp"

namespace rrtc::rtcp {

struct App {
  std::uint8_t subtype = 0;  // 5 bits
  std::uint32_t ssrc = 0;
  std::array<std::uint8_t, 4> name{};
  std::span<const std::uint8_t> data;  // a multiple of 4 bytes

  static Result<App> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const App& a, const App& b) {
    return a.subtype == b.subtype && a.ssrc == b.ssrc && a.name == b.name &&
           std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end());
  }
};

}  // namespace rrtc::rtcp
