// libFuzzer target keyframe_probe: every key-frame probe on arbitrary payloads. The input is
// copied into a buffer of exactly its size so AddressSanitizer catches any read past the end.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtp/keyframe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto copy = std::make_unique<std::uint8_t[]>(size);
  std::copy(data, data + size, copy.get());
  const std::span<const std::uint8_t> payload(copy.get(), size);
  int keys = 0;
  for (const auto codec : {rrtc::rtp::VideoCodec::kVp8, rrtc::rtp::VideoCodec::kVp9,
                           rrtc::rtp::VideoCodec::kH264, rrtc::rtp::VideoCodec::kAv1}) {
    keys += rrtc::rtp::is_keyframe(codec, payload) ? 1 : 0;
    // Every prefix must be safe too (packets get truncated in the wild).
    if (size > 0) keys += rrtc::rtp::is_keyframe(codec, payload.first(size - 1)) ? 1 : 0;
  }
  return keys < 0;  // always 0; keeps the calls observable
}
