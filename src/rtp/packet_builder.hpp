// Builds an RTP packet into a caller-provided buffer (RFC 3550 section 5.1, RFC 8285).
//
// The builder holds spans, not copies: extension values and the payload must outlive
// write_to(). It picks the one-byte extension form when every element fits it (ids 1..14,
// 1..16 bytes) and the two-byte form otherwise. No allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace rrtc::rtp {

class PacketBuilder {
 public:
  static constexpr std::size_t kMaxCsrcs = 15;
  static constexpr std::size_t kMaxExtensions = 16;

  PacketBuilder& set_marker(bool marker) noexcept {
    marker_ = marker;
    return *this;
  }
  PacketBuilder& set_payload_type(std::uint8_t pt) noexcept {
    payload_type_ = pt;
    return *this;
  }
  PacketBuilder& set_sequence_number(std::uint16_t seq) noexcept {
    seq_ = seq;
    return *this;
  }
  PacketBuilder& set_timestamp(std::uint32_t ts) noexcept {
    timestamp_ = ts;
    return *this;
  }
  PacketBuilder& set_ssrc(std::uint32_t ssrc) noexcept {
    ssrc_ = ssrc;
    return *this;
  }
  PacketBuilder& set_payload(std::span<const std::uint8_t> payload) noexcept {
    payload_ = payload;
    return *this;
  }
  // Padding bytes to append (0 = none); the last one carries the count, so 1..255.
  PacketBuilder& set_padding(std::uint8_t bytes) noexcept {
    padding_ = bytes;
    return *this;
  }
  // False when the list is full.
  bool add_csrc(std::uint32_t csrc) noexcept;
  // False when the list is full, id is 0, or a two-byte value is longer than 255 bytes.
  bool add_extension(std::uint8_t id, std::span<const std::uint8_t> value) noexcept;

  // Bytes write_to() needs; 0 when the packet cannot be built (payload type > 127).
  std::size_t serialized_size() const noexcept;
  // Writes the packet; returns the bytes written, or 0 when `out` is too small or the
  // packet cannot be built.
  std::size_t write_to(std::span<std::uint8_t> out) const noexcept;

 private:
  struct Extension {
    std::uint8_t id;
    std::span<const std::uint8_t> value;
  };
  bool one_byte_form() const noexcept;
  std::size_t extension_block_size() const noexcept;  // elements + alignment, no 4-byte header

  bool marker_ = false;
  std::uint8_t payload_type_ = 0;
  std::uint16_t seq_ = 0;
  std::uint32_t timestamp_ = 0;
  std::uint32_t ssrc_ = 0;
  std::uint8_t padding_ = 0;
  std::span<const std::uint8_t> payload_;
  std::array<std::uint32_t, kMaxCsrcs> csrcs_{};
  std::size_t csrc_count_ = 0;
  std::array<Extension, kMaxExtensions> extensions_{};
  std::size_t extension_count_ = 0;
};

}  // namespace rrtc::rtp
