#include "rtp/vp8_descriptor.hpp"

namespace rrtc::rtp {
namespace {

constexpr std::uint8_t kX = 0x80;
constexpr std::uint8_t kN = 0x20;
constexpr std::uint8_t kS = 0x10;
constexpr std::uint8_t kI = 0x80;
constexpr std::uint8_t kL = 0x40;
constexpr std::uint8_t kT = 0x20;
constexpr std::uint8_t kK = 0x10;
constexpr std::uint8_t kM = 0x80;

// RFC 6386 section 9.1: a key frame's uncompressed header after the 3-byte frame tag.
void read_keyframe_header(std::span<const std::uint8_t> frame, Vp8Descriptor& out) {
  if (frame.size() < 6 || (frame[0] & 0x01) != 0) return;  // P=1: an interframe
  if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) return;
  out.keyframe = true;
  if (frame.size() < 10) return;
  const auto w = static_cast<std::uint16_t>(frame[6] | (frame[7] << 8));
  const auto h = static_cast<std::uint16_t>(frame[8] | (frame[9] << 8));
  out.width = w & 0x3fff;
  out.height = h & 0x3fff;
  out.horizontal_scale = static_cast<std::uint8_t>(w >> 14);
  out.vertical_scale = static_cast<std::uint8_t>(h >> 14);
}

}  // namespace

std::optional<Vp8Descriptor> parse_vp8_descriptor(std::span<const std::uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Vp8Descriptor out;
  const std::uint8_t b0 = payload[0];
  out.non_reference = (b0 & kN) != 0;
  out.start_of_partition = (b0 & kS) != 0;
  out.partition_id = b0 & 0x07;
  std::size_t pos = 1;
  if (b0 & kX) {
    if (pos >= payload.size()) return std::nullopt;
    const std::uint8_t x = payload[pos++];
    if (x & kI) {
      if (pos >= payload.size()) return std::nullopt;
      out.picture_id_offset = pos;
      if (payload[pos] & kM) {
        if (pos + 1 >= payload.size()) return std::nullopt;
        out.picture_id_15bit = true;
        out.picture_id =
            static_cast<std::uint16_t>(((payload[pos] & 0x7f) << 8) | payload[pos + 1]);
        pos += 2;
      } else {
        out.picture_id = static_cast<std::uint16_t>(payload[pos] & 0x7f);
        pos += 1;
      }
    }
    if (x & kL) {
      if (pos >= payload.size()) return std::nullopt;
      out.tl0picidx_offset = pos;
      out.tl0picidx = payload[pos++];
    }
    if (x & (kT | kK)) {
      if (pos >= payload.size()) return std::nullopt;
      out.tidkey_offset = pos;
      const std::uint8_t tk = payload[pos++];
      if (x & kT) {
        out.tid = static_cast<std::uint8_t>(tk >> 6);
        out.layer_sync = (tk & 0x20) != 0;
      }
      if (x & kK) out.keyidx = static_cast<std::uint8_t>(tk & 0x1f);
    }
  }
  // RFC 7741 section 4.1: every packet carries VP8 payload after the descriptor.
  if (pos >= payload.size()) return std::nullopt;
  out.header_size = pos;
  if (out.starts_picture()) read_keyframe_header(payload.subspan(pos), out);
  return out;
}

bool write_vp8_picture_id(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                          std::uint16_t picture_id) noexcept {
  if (!descriptor.picture_id || payload.size() < descriptor.header_size) return false;
  std::uint8_t* p = payload.data() + descriptor.picture_id_offset;
  if (descriptor.picture_id_15bit) {
    p[0] = static_cast<std::uint8_t>(kM | ((picture_id >> 8) & 0x7f));
    p[1] = static_cast<std::uint8_t>(picture_id);
  } else {
    p[0] = static_cast<std::uint8_t>(picture_id & 0x7f);
  }
  return true;
}

bool write_vp8_tl0picidx(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                         std::uint8_t tl0picidx) noexcept {
  if (!descriptor.tl0picidx || payload.size() < descriptor.header_size) return false;
  payload[descriptor.tl0picidx_offset] = tl0picidx;
  return true;
}

bool write_vp8_keyidx(std::span<std::uint8_t> payload, const Vp8Descriptor& descriptor,
                      std::uint8_t keyidx) noexcept {
  if (!descriptor.keyidx || payload.size() < descriptor.header_size) return false;
  std::uint8_t& b = payload[descriptor.tidkey_offset];
  b = static_cast<std::uint8_t>((b & 0xe0) | (keyidx & 0x1f));
  return true;
}

}  // namespace rrtc::rtp
