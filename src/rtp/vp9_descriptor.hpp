// The VP9 payload descriptor (RFC 9628, formerly draft-ietf-payload-vp9, section 4.2), read
// once per incoming packet: picture id (with its offset, for an in-place rewrite), layer
// indices, TL0PICIDX, the key-frame answer and the frame sizes of the scalability structure.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z| (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PICTURE ID  | (REQUIRED if I; M=1: a second byte, 15-bit picture id)
//       +-+-+-+-+-+-+-+-+
//  L:   | TID |U| SID |D| (if L)
//       +-+-+-+-+-+-+-+-+
//       |   TL0PICIDX   | (if L and F=0: non-flexible mode)
//       +-+-+-+-+-+-+-+-+
//  P,F: | P_DIFF      |N| (if P and F; up to 3, repeated while N)
//       +-+-+-+-+-+-+-+-+
//  V:   | SS            | (section 4.2.1)
//
// Scalability structure:
//       | N_S |Y|G|-|-|-|  N_S + 1 spatial layers
//  Y:   | WIDTH (16) | HEIGHT (16) |  per spatial layer, lowest first
//  G:   |      N_G      |  then N_G times | TID |U| R |-|-| and R P_DIFF bytes
//
// Pure: reads only inside the given span, allocates nothing, never throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::rtp {

struct Vp9Descriptor {
  bool inter_picture_predicted = false;     // P
  bool flexible = false;                    // F
  bool begin_of_frame = false;              // B
  bool end_of_frame = false;                // E
  bool not_reference = false;               // Z: not used by upper spatial layers
  std::optional<std::uint16_t> picture_id;  // 7 or 15 bits
  bool picture_id_15bit = false;
  std::size_t picture_id_offset = 0;
  // Layer indices (L); without L: 0 and `layer_indices` false.
  bool layer_indices = false;
  std::uint8_t tid = 0;
  std::uint8_t sid = 0;
  bool switching_up = false;              // U
  bool inter_layer_dependency = false;    // D
  std::optional<std::uint8_t> tl0picidx;  // L in non-flexible mode
  std::size_t tl0picidx_offset = 0;
  std::size_t header_size = 0;  // descriptor bytes; the VP9 frame starts here
  // B=1, P=0, spatial layer 0, and the uncompressed header (when present) says KEY_FRAME: the
  // same answer as is_vp9_keyframe.
  bool keyframe = false;
  // The scalability structure (V), when present: frame size per spatial layer (Y).
  std::uint8_t spatial_layers = 0;  // 0: no SS in this packet
  bool has_resolutions = false;
  std::array<std::uint16_t, 8> width{};
  std::array<std::uint16_t, 8> height{};
};

// nullopt when a field runs past the payload.
std::optional<Vp9Descriptor> parse_vp9_descriptor(std::span<const std::uint8_t> payload) noexcept;

// Rewrites the picture id in place (low 7 bits for a 7-bit one); false without one or when the
// payload is shorter than the descriptor.
bool write_vp9_picture_id(std::span<std::uint8_t> payload, const Vp9Descriptor& descriptor,
                          std::uint16_t picture_id) noexcept;
bool write_vp9_tl0picidx(std::span<std::uint8_t> payload, const Vp9Descriptor& descriptor,
                         std::uint8_t tl0picidx) noexcept;

}  // namespace rrtc::rtp
