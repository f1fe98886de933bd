// The VP8 payload descriptor (RFC 7741 section 4.2), read once per incoming packet so that each
// subscriber's copy can be re-labelled in place (picture id, TL0PICIDX, KEYIDX) and its temporal
// layer dropped, without depacketizing.
//
//      0 1 2 3 4 5 6 7
//     +-+-+-+-+-+-+-+-+
//     |X|R|N|S|R| PID | (REQUIRED)
//     +-+-+-+-+-+-+-+-+
// X:  |I|L|T|K| RSV   | (OPTIONAL)
//     +-+-+-+-+-+-+-+-+
// I:  |M| PictureID   | (OPTIONAL; M=1: a second byte, 15-bit picture id)
//     +-+-+-+-+-+-+-+-+
// L:  |   TL0PICIDX   | (OPTIONAL)
//     +-+-+-+-+-+-+-+-+
// T/K:|TID|Y| KEYIDX  | (OPTIONAL)
//     +-+-+-+-+-+-+-+-+
//
// After the descriptor, at the start of partition 0 (S=1, PID=0), comes the VP8 payload header
// (section 4.3): |Size0|H| VER |P|, P=0 for a key frame, whose frame header (RFC 6386 section
// 9.1) continues with the start code 9d 01 2a and two little-endian 16-bit words: 2 bits of
// scaling and 14 bits of width, then of height.
//
// Pure: reads only inside the given span, allocates nothing, never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::rtp {

struct Vp8Descriptor {
  bool start_of_partition = false;          // S
  std::uint8_t partition_id = 0;            // PID
  std::optional<std::uint16_t> picture_id;  // 7 or 15 bits
  bool picture_id_15bit = false;            // M
  std::size_t picture_id_offset = 0;        // of its first byte in the payload
  std::optional<std::uint8_t> tl0picidx;
  std::size_t tl0picidx_offset = 0;
  std::optional<std::uint8_t> tid;     // temporal layer index, when T
  bool layer_sync = false;             // Y (meaningful with T)
  std::optional<std::uint8_t> keyidx;  // 5 bits, when K
  std::size_t tidkey_offset = 0;       // the T/K byte, when T or K
  std::size_t header_size = 0;         // descriptor bytes; the VP8 payload starts here
  // The packet starts a key frame: S=1, PID=0, P=0 and the start code (as is_vp8_keyframe).
  bool keyframe = false;
  bool non_reference = false;  // N: no other frame references this one
  // A key frame's size (14 bits each) and scaling (2 bits each, RFC 6386 section 9.1); 0 when
  // not a key frame's first packet or truncated before them.
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  std::uint8_t horizontal_scale = 0;
  std::uint8_t vertical_scale = 0;

  // The first packet of a frame (a picture): partition 0 starts here.
  bool starts_picture() const noexcept { return start_of_partition && partition_id == 0; }
};

// nullopt when the descriptor runs past the payload or no VP8 payload byte follows it.
std::optional<Vp8Descriptor> parse_vp8_descriptor(std::span<const std::uint8_t> payload) noexcept;

// In-place rewrites of a packet's payload at the offsets `descriptor` was parsed with (the same
// bytes, or a copy of them). Each writes only a field the descriptor has; a 7-bit picture id
// keeps the low 7 bits of `picture_id`, KEYIDX the low 5 bits. False when the field is absent
// or the payload is shorter than the descriptor.
bool write_vp8_picture_id(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                          std::uint16_t picture_id) noexcept;
bool write_vp8_tl0picidx(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                         std::uint8_t tl0picidx) noexcept;
bool write_vp8_keyidx(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                      std::uint8_t keyidx) noexcept;

}  // namespace rrtc::rtp
