#include "rtp/vp9_descriptor.hpp"

#include "rtp/byte_io.hpp"

namespace rrtc::rtp {
namespace {

constexpr std::uint8_t kI = 0x80, kP = 0x40, kL = 0x20, kF = 0x10, kB = 0x08, kE = 0x04;
constexpr std::uint8_t kV = 0x02, kZ = 0x01;
constexpr std::size_t kMaxPDiffs = 3;

// Section 4.2.1; false when it runs past the end.
bool read_scalability_structure(std::span<const std::uint8_t> payload, std::size_t& pos,
                                Vp9Descriptor& out) {
  if (pos >= payload.size()) return false;
  const std::uint8_t v = payload[pos++];
  out.spatial_layers = static_cast<std::uint8_t>((v >> 5) + 1);
  if (v & 0x10) {
    if (payload.size() - pos < std::size_t{4} * out.spatial_layers) return false;
    out.has_resolutions = true;
    for (std::size_t i = 0; i < out.spatial_layers; ++i) {
      out.width[i] = load_be16(&payload[pos]);
      out.height[i] = load_be16(&payload[pos + 2]);
      pos += 4;
    }
  }
  if (v & 0x08) {
    if (pos >= payload.size()) return false;
    const std::size_t groups = payload[pos++];
    for (std::size_t g = 0; g < groups; ++g) {
      if (pos >= payload.size()) return false;
      const std::size_t references = (payload[pos++] >> 2) & 0x03;
      if (payload.size() - pos < references) return false;
      pos += references;
    }
  }
  return true;
}

// VP9 bitstream section 6.2: frame_marker(2) profile_low(1) profile_high(1)
// [reserved_zero(1) if profile 3] show_existing_frame(1) frame_type(1); 0 = KEY_FRAME.
bool uncompressed_header_says_key(std::span<const std::uint8_t> frame) {
  if (frame.empty()) return true;  // the descriptor alone decides
  const std::uint8_t h = frame[0];
  if ((h >> 6) != 2) return false;
  const int profile = ((h >> 5) & 1) | (((h >> 4) & 1) << 1);
  int bit = profile == 3 ? 5 : 4;
  if ((h >> (7 - bit)) & 1) return false;  // show_existing_frame
  ++bit;
  return ((h >> (7 - bit)) & 1) == 0;
}

}  // namespace

std::optional<Vp9Descriptor> parse_vp9_descriptor(std::span<const std::uint8_t> payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Vp9Descriptor out;
  const std::uint8_t b0 = payload[0];
  out.inter_picture_predicted = (b0 & kP) != 0;
  out.flexible = (b0 & kF) != 0;
  out.begin_of_frame = (b0 & kB) != 0;
  out.end_of_frame = (b0 & kE) != 0;
  out.not_reference = (b0 & kZ) != 0;
  std::size_t pos = 1;
  if (b0 & kI) {
    if (pos >= payload.size()) return std::nullopt;
    out.picture_id_offset = pos;
    if (payload[pos] & 0x80) {
      if (pos + 1 >= payload.size()) return std::nullopt;
      out.picture_id_15bit = true;
      out.picture_id = static_cast<std::uint16_t>(((payload[pos] & 0x7f) << 8) | payload[pos + 1]);
      pos += 2;
    } else {
      out.picture_id = static_cast<std::uint16_t>(payload[pos] & 0x7f);
      pos += 1;
    }
  }
  if (b0 & kL) {
    if (pos >= payload.size()) return std::nullopt;
    const std::uint8_t layer = payload[pos++];
    out.layer_indices = true;
    out.tid = static_cast<std::uint8_t>(layer >> 5);
    out.switching_up = (layer & 0x10) != 0;
    out.sid = static_cast<std::uint8_t>((layer >> 1) & 0x07);
    out.inter_layer_dependency = (layer & 0x01) != 0;
    if (!out.flexible) {
      if (pos >= payload.size()) return std::nullopt;
      out.tl0picidx_offset = pos;
      out.tl0picidx = payload[pos++];
    }
  }
  if (out.flexible && out.inter_picture_predicted) {
    for (std::size_t i = 0;; ++i) {
      if (i == kMaxPDiffs || pos >= payload.size()) return std::nullopt;
      if ((payload[pos++] & 0x01) == 0) break;  // N: another P_DIFF follows
    }
  }
  if ((b0 & kV) && !read_scalability_structure(payload, pos, out)) return std::nullopt;
  out.header_size = pos;
  out.keyframe = out.begin_of_frame && !out.inter_picture_predicted && out.sid == 0 &&
                 uncompressed_header_says_key(payload.subspan(pos));
  return out;
}

bool write_vp9_picture_id(std::span<std::uint8_t> payload, const Vp9Descriptor& descriptor,
                          std::uint16_t picture_id) noexcept {
  if (!descriptor.picture_id || payload.size() < descriptor.header_size) return false;
  std::uint8_t* p = payload.data() + descriptor.picture_id_offset;
  if (descriptor.picture_id_15bit) {
    p[0] = static_cast<std::uint8_t>(0x80 | ((picture_id >> 8) & 0x7f));
    p[1] = static_cast<std::uint8_t>(picture_id);
  } else {
    p[0] = static_cast<std::uint8_t>(picture_id & 0x7f);
  }
  return true;
}

bool write_vp9_tl0picidx(std::span<std::uint8_t> payload, const Vp9Descriptor& descriptor,
                         std::uint8_t tl0picidx) noexcept {
  if (!descriptor.tl0picidx || payload.size() < descriptor.header_size) return false;
  payload[descriptor.tl0picidx_offset] = tl0picidx;
  return true;
}

}  // namespace rrtc::rtp
