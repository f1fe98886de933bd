// libFuzzer target vp9_descriptor: parse arbitrary bytes as a VP9 payload descriptor (RFC 9628
// section 4.2). When they parse: offsets lie inside the descriptor, the key-frame answer equals
// is_vp9_keyframe's, and rewriting picture id and TL0PICIDX in place then parsing again gives
// exactly the new values and leaves the rest as it was.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "rtp/keyframe.hpp"
#include "rtp/vp9_descriptor.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A buffer of exactly the input's size: AddressSanitizer catches any read past the end.
  auto copy = std::make_unique<std::uint8_t[]>(size);
  std::copy(data, data + size, copy.get());
  const std::span<std::uint8_t> payload(copy.get(), size);
  const auto before = rrtc::rtp::parse_vp9_descriptor(payload);
  if (!before) return 0;
  check(before->header_size >= 1 && before->header_size <= size);
  if (before->picture_id) {
    check(before->picture_id_offset + (before->picture_id_15bit ? 2 : 1) <= before->header_size);
  }
  if (before->tl0picidx) check(before->tl0picidx_offset < before->header_size);
  check(before->spatial_layers <= 8 && before->sid <= 7 && before->tid <= 7);
  check(before->keyframe == rrtc::rtp::is_vp9_keyframe(payload));

  const auto picture = static_cast<std::uint16_t>(before->picture_id.value_or(0) ^ 0x2d2d);
  const auto tl0 = static_cast<std::uint8_t>(before->tl0picidx.value_or(0) ^ 0x3c);
  check(rrtc::rtp::write_vp9_picture_id(payload, *before, picture) ==
        before->picture_id.has_value());
  check(rrtc::rtp::write_vp9_tl0picidx(payload, *before, tl0) == before->tl0picidx.has_value());
  const auto after = rrtc::rtp::parse_vp9_descriptor(payload);
  check(after.has_value());
  check(after->header_size == before->header_size && after->keyframe == before->keyframe);
  check(after->sid == before->sid && after->tid == before->tid);
  check(after->spatial_layers == before->spatial_layers && after->width == before->width);
  if (before->picture_id) {
    check(*after->picture_id == (picture & (before->picture_id_15bit ? 0x7fff : 0x7f)));
  }
  if (before->tl0picidx) check(*after->tl0picidx == tl0);
  return 0;
}
