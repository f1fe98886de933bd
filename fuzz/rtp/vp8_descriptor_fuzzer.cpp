// libFuzzer target vp8_descriptor: parse arbitrary bytes as a VP8 payload descriptor (RFC 7741
// section 4.2). When they parse: every offset lies inside the descriptor, the key-frame answer
// equals the key-frame probe's, and rewriting picture id, TL0PICIDX and KEYIDX in place then
// parsing again gives exactly the new values and leaves everything else as it was.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "rtp/keyframe.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace {

using rrtc::rtp::Vp8Descriptor;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_offsets(const Vp8Descriptor& d, std::size_t size) {
  check(d.header_size >= 1 && d.header_size < size);
  if (d.picture_id) {
    check(d.picture_id_offset + (d.picture_id_15bit ? 2 : 1) <= d.header_size);
    check(*d.picture_id <= (d.picture_id_15bit ? 0x7fff : 0x7f));
  }
  if (d.tl0picidx) check(d.tl0picidx_offset < d.header_size);
  if (d.tid || d.keyidx) check(d.tidkey_offset < d.header_size);
  if (d.tid) check(*d.tid <= 3);
  if (d.keyidx) check(*d.keyidx <= 0x1f);
  if (d.keyframe) check(d.starts_picture());
  if (!d.keyframe) check(d.width == 0 && d.height == 0);
}

void check_rewrite(std::span<std::uint8_t> payload, const Vp8Descriptor& before) {
  const auto picture = static_cast<std::uint16_t>(before.picture_id.value_or(0) ^ 0x5a5a);
  const auto tl0 = static_cast<std::uint8_t>(before.tl0picidx.value_or(0) ^ 0xa5);
  const auto keyidx = static_cast<std::uint8_t>(before.keyidx.value_or(0) ^ 0x1b);
  check(rrtc::rtp::write_vp8_picture_id(payload, before, picture) == before.picture_id.has_value());
  check(rrtc::rtp::write_vp8_tl0picidx(payload, before, tl0) == before.tl0picidx.has_value());
  check(rrtc::rtp::write_vp8_keyidx(payload, before, keyidx) == before.keyidx.has_value());
  const auto after = rrtc::rtp::parse_vp8_descriptor(payload);
  check(after.has_value());
  check(after->header_size == before.header_size);
  check(after->start_of_partition == before.start_of_partition);
  check(after->partition_id == before.partition_id);
  check(after->picture_id_15bit == before.picture_id_15bit);
  check(after->tid == before.tid && after->layer_sync == before.layer_sync);
  check(after->keyframe == before.keyframe && after->width == before.width);
  if (before.picture_id) {
    check(*after->picture_id == (picture & (before.picture_id_15bit ? 0x7fff : 0x7f)));
  }
  if (before.tl0picidx) check(*after->tl0picidx == tl0);
  if (before.keyidx) check(*after->keyidx == (keyidx & 0x1f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A buffer of exactly the input's size: AddressSanitizer catches any read past the end.
  auto copy = std::make_unique<std::uint8_t[]>(size);
  std::copy(data, data + size, copy.get());
  const std::span<std::uint8_t> payload(copy.get(), size);
  const auto descriptor = rrtc::rtp::parse_vp8_descriptor(payload);
  if (!descriptor) return 0;
  check_offsets(*descriptor, size);
  check(descriptor->keyframe == rrtc::rtp::is_vp8_keyframe(payload));
  check_rewrite(payload, *descriptor);
  return 0;
}
