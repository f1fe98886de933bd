// RFC 4585 section 6.3.1, Picture Loss Indication (PSFB, FMT=1): the common feedback header
// only, no FCI.
//
//    |V=2|P| FMT=1   |    PT=206     |          length=2             |
//    |                  SSRC of packet sender                        |
//    |                  SSRC of media source                         |
#pragma once

#include <cstdint>
#include <span>

#include "rtcp/header.hpp"

namespace rrtc::rtcp {

struct Pli {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;

  static Result<Pli> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept { return 12; }
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const Pli&, const Pli&) = default;
};

}  // namespace rrtc::rtcp
