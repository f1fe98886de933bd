// RFC 3550 section 6.5, SDES: source description.
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_1                          |
//   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |    type (1-8)  |     length    | text (length bytes)        ...
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        | ... more items, then one or more zero octets to a 32-bit boundary
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//
// Both ways the message is a flat list of entries (ssrc, item type, text); consecutive entries
// with the same SSRC form one chunk. An entry of type 0 stands for a chunk without items.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtcp/header.hpp"

namespace rrtc::rtcp {

enum class SdesType : std::uint8_t {
  kEnd = 0,
  kCname = 1,
  kName,
  kEmail,
  kPhone,
  kLoc,
  kTool,
  kNote,
  kPriv
};

struct SdesEntry {
  std::uint32_t ssrc = 0;
  std::uint8_t type = 0;
  std::string_view text;
  friend bool operator==(const SdesEntry&, const SdesEntry&) = default;
};

class Sdes {
 public:
  Sdes() = default;
  explicit Sdes(std::span<const SdesEntry> entries) : entries_(entries) {}
  static Result<Sdes> parse(const RawPacket& raw) noexcept;

  // Forward iteration over the entries, wire or supplied alike.
  class Cursor {
   public:
    std::optional<SdesEntry> next() noexcept;

   private:
    friend class Sdes;
    const Sdes* sdes_ = nullptr;
    std::size_t pos_ = 0;
    std::size_t chunks_left_ = 0;
    std::uint32_t ssrc_ = 0;
    bool in_chunk_ = false;
  };
  Cursor entries() const noexcept;
  std::optional<std::string_view> cname(std::uint32_t ssrc) const noexcept;

  std::size_t serialized_size() const noexcept;  // 0 if not writable (> 31 chunks, bad entry)
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

  friend bool operator==(const Sdes& a, const Sdes& b) noexcept;

 private:
  std::span<const SdesEntry> entries_;
  std::span<const std::uint8_t> wire_;
  std::size_t chunk_count_ = 0;
  bool from_wire_ = false;
};

}  // namespace rrtc::rtcp
