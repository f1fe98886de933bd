// Iteration over the elements of an RFC 8285 header extension block.
//
// One-byte form (profile 0xBEDE), RFC 8285 section 4.2:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |       0xBE    |    0xDE       |           length=3            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// L is length-1; ID 0 is a padding byte; ID 15 is reserved and stops parsing.
//
// Two-byte form (profile 0x100X), RFC 8285 section 4.3:
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |       0x10    |    0x00       |           length=3            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      ID       |     L=0       |     ID        |     L=1       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |       data    |    0 (pad)    |       ID      |      L=4      |
// L is the true length (0..255); a zero ID byte is padding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::rtp {

struct ExtensionElement {
  std::uint8_t id;
  std::size_t header_offset;  // offset of the element's id byte inside the block
  std::size_t value_offset;   // offset of its value inside the block
  std::size_t length;         // value length in bytes
};

enum class ExtensionForm : std::uint8_t { kOneByte, kTwoByte };

// Walks the elements of `block` (the bytes after profile and length). next() yields the next
// element, or nullopt at the end of the block, at a one-byte ID 15, or at a truncated element
// (then truncated() is true).
class ExtensionReader {
 public:
  ExtensionReader(std::span<const std::uint8_t> block, ExtensionForm form) noexcept
      : block_(block), form_(form) {}
  std::optional<ExtensionElement> next() noexcept;
  bool truncated() const noexcept { return truncated_; }

 private:
  std::span<const std::uint8_t> block_;
  ExtensionForm form_;
  std::size_t pos_ = 0;
  bool truncated_ = false;
};

}  // namespace rrtc::rtp
