// A zero-copy view of one RTP packet over a caller-owned, mutable buffer.
//
// parse() validates every length once (fixed header, CSRC list, header extension block and
// each RFC 8285 element in it, padding); afterwards accessors only read at offsets proven to be
// in bounds. Setters rewrite fields in place so a forwarded copy can be re-labelled for a
// subscriber without rebuilding it. The view does not own the buffer: it must outlive the view,
// and nothing else may resize it. Not thread-safe (one owning thread, like the buffer).
#pragma once

#include <array>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::rtp {

enum class ParseError : std::uint8_t {
  kTooShort = 1,        // fewer than the 12 bytes of the fixed header
  kBadVersion,          // V != 2
  kCsrcPastEnd,         // CC claims more CSRCs than the buffer holds
  kExtensionPastEnd,    // X set but the extension header or its words run past the end
  kExtensionTruncated,  // an RFC 8285 element's length runs past its block
  kBadPadding,          // P set with a zero count, or a count longer than the payload
  kTooLong,             // more than 65535 bytes: no UDP datagram is
};

const char* to_string(ParseError error) noexcept;

// RFC 8285 profiles of the header extension block.
inline constexpr std::uint16_t kOneByteProfile = 0xBEDE;
inline constexpr bool is_two_byte_profile(std::uint16_t profile) {
  return (profile & 0xFFF0) == 0x1000;
}

// Maps wire extension ids to a subscriber's ids: new id = map[old id]; 0 removes the element.
// Callers fill identity entries for ids they keep unchanged. See rewrite_extension_ids.
using ExtensionIdMap = std::array<std::uint8_t, 256>;

class Packet {
 public:
  static boost::system::result<Packet, ParseError> parse(std::span<std::uint8_t> buffer);

  // Fixed header (RFC 3550 section 5.1).
  bool marker() const noexcept;
  std::uint8_t payload_type() const noexcept;
  std::uint16_t sequence_number() const noexcept;
  std::uint32_t timestamp() const noexcept;
  std::uint32_t ssrc() const noexcept;
  std::size_t csrc_count() const noexcept;
  std::uint32_t csrc(std::size_t index) const noexcept;  // index < csrc_count()

  // Header extension block. profile() is 0 when X is not set.
  bool has_extension_block() const noexcept { return ext_present_; }
  std::uint16_t extension_profile() const noexcept;
  std::span<const std::uint8_t> extension_block() const noexcept;
  // The value of RFC 8285 element `id`, or nullopt if absent (or the block uses another
  // profile). Two-byte elements may be empty, so presence and emptiness differ.
  std::optional<std::span<const std::uint8_t>> extension(std::uint8_t id) const noexcept;

  std::span<std::uint8_t> payload() noexcept {
    return buffer_.subspan(payload_offset_, payload_size_);
  }
  std::span<const std::uint8_t> payload() const noexcept {
    return buffer_.subspan(payload_offset_, payload_size_);
  }
  std::size_t header_size() const noexcept { return payload_offset_; }
  std::size_t padding_size() const noexcept { return padding_size_; }
  std::size_t size() const noexcept { return buffer_.size(); }
  std::span<std::uint8_t> bytes() noexcept { return buffer_; }
  std::span<const std::uint8_t> bytes() const noexcept { return buffer_; }
  // This packet's view over `copy`, a byte-for-byte copy of bytes() (same size): the layout is
  // known, so the copy is not parsed again.
  Packet over(std::span<std::uint8_t> copy) const noexcept {
    Packet view = *this;
    view.buffer_ = copy;
    return view;
  }

  // In-place rewrites. Each returns false, leaving the packet untouched, when the value does
  // not fit its field.
  void set_marker(bool marker) noexcept;
  bool set_payload_type(std::uint8_t payload_type) noexcept;  // must be < 128
  void set_sequence_number(std::uint16_t seq) noexcept;
  void set_timestamp(std::uint32_t timestamp) noexcept;
  void set_ssrc(std::uint32_t ssrc) noexcept;
  // Overwrites element `id`'s value. A shorter value shrinks the element's length field and
  // zero-fills the rest (zero bytes are padding per RFC 8285 section 4.1); a longer one is
  // refused, as is an empty one in the one-byte form (which cannot encode length 0).
  bool set_extension(std::uint8_t id, std::span<const std::uint8_t> value) noexcept;
  // Renumbers every element: new id = map[old id]. A mapped id of 0 turns the element into
  // padding (removes it). Refused as a whole (nothing written) if a new id does not fit the
  // block's form (1..14 for one-byte) or would give two elements the same id.
  bool rewrite_extension_ids(const ExtensionIdMap& map) noexcept;

 private:
  explicit Packet(std::span<std::uint8_t> buffer) : buffer_(buffer) {}

  std::span<std::uint8_t> buffer_;
  std::uint16_t ext_offset_ = 0;  // first byte of the extension elements (after profile+len)
  std::uint16_t ext_size_ = 0;    // bytes of elements
  std::uint16_t payload_offset_ = 0;
  std::uint16_t payload_size_ = 0;
  std::uint8_t padding_size_ = 0;
  bool ext_present_ = false;
};

}  // namespace rrtc::rtp
