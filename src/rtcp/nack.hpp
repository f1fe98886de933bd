// RFC 4585 section 6.2.1, Generic NACK (RTPFB, FMT=1). FCI, one or more of:
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |            PID                |             BLP               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// PID: a lost sequence number; bit i of BLP set: PID + i + 1 is lost too.
#pragma once

#include <cstdint>
#include <span>

#include "rtcp/header.hpp"
#include "rtcp/wire_list.hpp"

namespace rrtc::rtcp {

struct NackItem {
  std::uint16_t pid = 0;
  std::uint16_t blp = 0;
  friend bool operator==(const NackItem&, const NackItem&) = default;
};

template <>
struct WireCodec<NackItem> {
  static constexpr std::size_t kSize = 4;
  static NackItem read(const std::uint8_t* p) {
    return NackItem{static_cast<std::uint16_t>((p[0] << 8) | p[1]),
                    static_cast<std::uint16_t>((p[2] << 8) | p[3])};
  }
  static void write(std::uint8_t* p, const NackItem& item) {
    p[0] = static_cast<std::uint8_t>(item.pid >> 8);
    p[1] = static_cast<std::uint8_t>(item.pid);
    p[2] = static_cast<std::uint8_t>(item.blp >> 8);
    p[3] = static_cast<std::uint8_t>(item.blp);
  }
};

struct Nack {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  WireList<NackItem> items;  // at least one

  static Result<Nack> parse(const RawPacket& raw) noexcept;
  std::size_t serialized_size() const noexcept;
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  // Calls f(seq) for every sequence number the items report lost, in item order.
  template <typename F>
  void for_each_lost(F&& f) const {
    for (const NackItem item : items) {
      f(item.pid);
      for (int bit = 0; bit < 16; ++bit) {
        if (item.blp & (1u << bit)) f(static_cast<std::uint16_t>(item.pid + bit + 1));
      }
    }
  }

  friend bool operator==(const Nack& a, const Nack& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc && a.items == b.items;
  }
};

// Packs lost sequence numbers (in increasing order, modulo wrap-around) into PID/BLP items.
// Returns the number of items written; stops early when `out` is full.
std::size_t pack_nack_items(std::span<const std::uint16_t> lost, std::span<NackItem> out) noexcept;

}  // namespace rrtc::rtcp
