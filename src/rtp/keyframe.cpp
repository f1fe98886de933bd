#include "rtp/keyframe.hpp"

#include <cstddef>
#include <optional>

#include "rtp/byte_io.hpp"

namespace rrtc::rtp {
namespace {

// A forward-only cursor that refuses to read past the end.
class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> data) : data_(data) {}
  std::optional<std::uint8_t> byte() {
    if (pos_ >= data_.size()) return std::nullopt;
    return data_[pos_++];
  }
  bool skip(std::size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// AV1 leb128() (AV1 spec section 4.10.5), at most 8 bytes; nullopt if truncated or too long.
std::optional<std::uint64_t> read_leb128(Cursor& cursor) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    const auto b = cursor.byte();
    if (!b) return std::nullopt;
    value |= static_cast<std::uint64_t>(*b & 0x7F) << (7 * i);
    if ((*b & 0x80) == 0) return value;
  }
  return std::nullopt;
}

}  // namespace

// RFC 7741 section 4.2, VP8 payload descriptor:
//      0 1 2 3 4 5 6 7
//     +-+-+-+-+-+-+-+-+
//     |X|R|N|S|R| PID | (REQUIRED)
//     +-+-+-+-+-+-+-+-+
// X:  |I|L|T|K| RSV   | (OPTIONAL)
// I:  |M| PictureID   | (OPTIONAL, second byte if M)
// L:  |   TL0PICIDX   | (OPTIONAL)
// T/K:|TID|Y| KEYIDX  | (OPTIONAL)
// Section 4.3, payload header (first bytes of the VP8 frame): |Size0|H| VER |P|, P=0 is a key
// frame; a key frame's bytes 3..5 are the start code 9d 01 2a (RFC 6386 section 9.1).
bool is_vp8_keyframe(std::span<const std::uint8_t> payload) noexcept {
  Cursor cursor(payload);
  const auto b0 = cursor.byte();
  if (!b0) return false;
  const bool start = (*b0 & 0x10) != 0;
  const std::uint8_t pid = *b0 & 0x07;
  if (!start || pid != 0) return false;
  if (*b0 & 0x80) {
    const auto x = cursor.byte();
    if (!x) return false;
    if (*x & 0x80) {
      const auto picture_id = cursor.byte();
      if (!picture_id || ((*picture_id & 0x80) && !cursor.skip(1))) return false;
    }
    if ((*x & 0x40) && !cursor.skip(1)) return false;
    if ((*x & 0x30) && !cursor.skip(1)) return false;
  }
  const auto frame = cursor.rest();
  if (frame.size() < 6) return false;
  return (frame[0] & 0x01) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a;
}

// RFC 9628 section 4.2, VP9 payload descriptor:
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |I|P|L|F|B|E|V|Z| (REQUIRED)
//  I:   |M| PICTURE ID  | (REQUIRED if I; a second byte if M)
//  L:   | TID |U| SID |D| (if L)
//       |   TL0PICIDX   | (if L and F=0)
//  P,F: | P_DIFF      |N| (if P and F; repeated while N)
//  V:   | SS            | (scalability structure, section 4.2.1)
// then the VP9 frame; the uncompressed header (VP9 bitstream spec section 6.2) begins
// frame_marker(2) profile_low(1) profile_high(1) [reserved_zero(1) if profile 3]
// show_existing_frame(1) frame_type(1), frame_type 0 = KEY_FRAME.
namespace {

bool skip_vp9_scalability_structure(Cursor& cursor) {
  const auto v = cursor.byte();
  if (!v) return false;
  const std::size_t spatial_layers = static_cast<std::size_t>(*v >> 5) + 1;
  if ((*v & 0x10) && !cursor.skip(4 * spatial_layers)) return false;  // Y: width, height
  if (*v & 0x08) {                                                    // G: picture group
    const auto groups = cursor.byte();
    if (!groups) return false;
    for (std::size_t i = 0; i < *groups; ++i) {
      const auto g = cursor.byte();
      if (!g || !cursor.skip((*g >> 2) & 0x03)) return false;  // R reference P_DIFFs
    }
  }
  return true;
}

}  // namespace

bool is_vp9_keyframe(std::span<const std::uint8_t> payload) noexcept {
  Cursor cursor(payload);
  const auto b0 = cursor.byte();
  if (!b0) return false;
  const bool i = *b0 & 0x80, p = *b0 & 0x40, l = *b0 & 0x20, f = *b0 & 0x10, b = *b0 & 0x08;
  const bool v = *b0 & 0x02;
  if (!b || p) return false;
  if (i) {
    const auto picture_id = cursor.byte();
    if (!picture_id || ((*picture_id & 0x80) && !cursor.skip(1))) return false;
  }
  if (l) {
    const auto layer = cursor.byte();
    if (!layer) return false;
    if (((*layer >> 1) & 0x07) != 0) return false;  // only spatial layer 0 starts a key frame
    if (!f && !cursor.skip(1)) return false;        // TL0PICIDX
  }
  // P is 0 here, so flexible mode carries no P_DIFF list.
  if (v && !skip_vp9_scalability_structure(cursor)) return false;
  const auto frame = cursor.rest();
  if (frame.empty()) return true;  // descriptor alone decides
  const std::uint8_t h = frame[0];
  if ((h >> 6) != 2) return false;  // frame_marker
  const int profile = ((h >> 5) & 1) | (((h >> 4) & 1) << 1);
  int bit = 4;                             // index from the MSB of show_existing_frame
  if (profile == 3) ++bit;                 // reserved_zero
  if ((h >> (7 - bit)) & 1) return false;  // show_existing_frame
  ++bit;
  return ((h >> (7 - bit)) & 1) == 0;  // frame_type
}

// RFC 6184 section 5.3 NAL unit header |F|NRI| Type |; section 5.7.1 STAP-A:
//   [STAP-A NAL HDR] then repeated { NALU size (16 bits) | NALU }
// section 5.8 FU-A: [FU indicator | FU header |S|E|R| Type |]
bool is_h264_keyframe(std::span<const std::uint8_t> payload) noexcept {
  constexpr std::uint8_t kIdr = 5, kSps = 7, kStapA = 24, kFuA = 28;
  if (payload.empty()) return false;
  const std::uint8_t type = payload[0] & 0x1F;
  if (type == kIdr || type == kSps) return true;
  if (type == kFuA) {
    if (payload.size() < 2) return false;
    const std::uint8_t fu = payload[1];
    const std::uint8_t inner = fu & 0x1F;
    return (fu & 0x80) && (inner == kIdr || inner == kSps);
  }
  if (type == kStapA) {
    std::size_t pos = 1;
    while (pos + 2 < payload.size()) {
      const std::size_t size = load_be16(&payload[pos]);
      pos += 2;
      if (size == 0 || size > payload.size() - pos) return false;
      const std::uint8_t inner = payload[pos] & 0x1F;
      if (inner == kIdr || inner == kSps) return true;
      pos += size;
    }
  }
  return false;
}

// AV1 RTP payload format section 4.4, aggregation header:
//  0 1 2 3 4 5 6 7
// +-+-+-+-+-+-+-+-+
// |Z|Y| W |N|-|-|-|
// +-+-+-+-+-+-+-+-+
// then OBU elements, each preceded by a leb128 length except the last when W > 0. Z=1 means
// the first element continues an OBU from the previous packet (no OBU header here). OBU header
// (AV1 spec 5.3.2): |F| type(4) |X|S|R|, type 1 = OBU_SEQUENCE_HEADER.
bool is_av1_keyframe(std::span<const std::uint8_t> payload) noexcept {
  constexpr std::uint8_t kSequenceHeader = 1;
  Cursor cursor(payload);
  const auto aggregation = cursor.byte();
  if (!aggregation) return false;
  if (*aggregation & 0x08) return true;  // N: a new coded video sequence starts here
  const bool continuation = (*aggregation & 0x80) != 0;
  const std::size_t w = (*aggregation >> 4) & 0x03;
  for (std::size_t index = 0; !cursor.rest().empty(); ++index) {
    std::size_t length = cursor.rest().size();
    if (w == 0 || index + 1 < w) {
      const auto leb = read_leb128(cursor);
      if (!leb || *leb > cursor.rest().size()) return false;
      length = static_cast<std::size_t>(*leb);
    }
    const auto element = cursor.rest().first(length);
    if (!(index == 0 && continuation) && !element.empty() &&
        ((element[0] >> 3) & 0x0F) == kSequenceHeader) {
      return true;
    }
    cursor.skip(length);
    if (w != 0 && index + 1 >= w) break;
  }
  return false;
}

bool is_keyframe(VideoCodec codec, std::span<const std::uint8_t> payload) noexcept {
  switch (codec) {
    case VideoCodec::kVp8:
      return is_vp8_keyframe(payload);
    case VideoCodec::kVp9:
      return is_vp9_keyframe(payload);
    case VideoCodec::kH264:
      return is_h264_keyframe(payload);
    case VideoCodec::kAv1:
      return is_av1_keyframe(payload);
  }
  return false;
}

}  // namespace rrtc::rtp
