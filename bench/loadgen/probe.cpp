#include "probe.hpp"

#include <algorithm>

namespace rrtc::loadgen {
namespace {

void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
void put64(std::uint8_t* p, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}
std::uint32_t get32(const std::uint8_t* p) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}
std::uint64_t get64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

constexpr std::uint8_t kFiller = 0x5a;

}  // namespace

bool write_probe(std::span<std::uint8_t> payload, const Probe& probe) noexcept {
  if (payload.size() < kProbeSize) return false;
  std::uint8_t* p = payload.data() + payload.size() - kProbeSize;
  put32(p, kProbeMagic);
  put32(p + 4, probe.publisher);
  p[8] = static_cast<std::uint8_t>(probe.stream);
  p[9] = probe.layer;
  p[10] = p[11] = 0;
  put64(p + 12, probe.sequence);
  put64(p + 20, probe.send_ns);
  return true;
}

std::optional<Probe> read_probe(std::span<const std::uint8_t> payload) noexcept {
  if (payload.size() < kProbeSize) return std::nullopt;
  const std::uint8_t* p = payload.data() + payload.size() - kProbeSize;
  if (get32(p) != kProbeMagic || p[8] >= kStreamKinds || p[9] >= kMaxLayers) return std::nullopt;
  Probe probe;
  probe.publisher = get32(p + 4);
  probe.stream = static_cast<StreamKind>(p[8]);
  probe.sequence = get64(p + 12);
  probe.send_ns = get64(p + 20);
  probe.layer = p[9];
  return probe;
}

// RFC 7741 section 4.2: |X|R|N|S|R| PID |, then |I|L|T|K| RSV |, then |M| PictureID (15 bits)|,
// then (L) TL0PICIDX and (T/K) |TID|Y| KEYIDX |.
// RFC 6386 section 9.1 frame tag: bit 0 of byte 0 is the inverse key-frame flag, bits 1-3 the
// version, bit 4 show_frame, then the first partition size (19 bits); a key frame continues with
// the start code 9d 01 2a and 14-bit width / height (2-bit scale each).
std::size_t write_vp8_payload(std::span<std::uint8_t> payload,
                              const Vp8PacketShape& shape) noexcept {
  const std::size_t descriptor = shape.layered ? kVp8LayeredDescriptorSize : kVp8DescriptorSize;
  const std::size_t header = descriptor + (shape.start_of_frame ? kVp8FrameHeaderSize : 0);
  if (payload.size() < header + kProbeSize) return 0;
  std::uint8_t* p = payload.data();
  p[0] = static_cast<std::uint8_t>(0x80 | (shape.start_of_frame ? 0x10 : 0x00));  // X, S, PID 0
  p[1] = shape.layered ? 0xf0 : 0x80;                                             // I (L T K)
  p[2] = static_cast<std::uint8_t>(0x80 | ((shape.picture_id >> 8) & 0x7f));      // M + high
  p[3] = static_cast<std::uint8_t>(shape.picture_id);
  if (shape.layered) {
    p[4] = shape.tl0picidx;
    p[5] = static_cast<std::uint8_t>(((shape.tid & 0x03) << 6) | (shape.layer_sync ? 0x20 : 0) |
                                     (shape.keyidx & 0x1f));
  }
  if (shape.start_of_frame) {
    std::uint8_t* f = p + descriptor;
    const std::uint32_t partition = 100;  // first partition size, a plausible value
    const std::uint32_t tag = (shape.key_frame ? 0u : 1u) | (1u << 4) | (partition << 5);
    f[0] = static_cast<std::uint8_t>(tag);
    f[1] = static_cast<std::uint8_t>(tag >> 8);
    f[2] = static_cast<std::uint8_t>(tag >> 16);
    if (shape.key_frame) {
      f[3] = 0x9d;
      f[4] = 0x01;
      f[5] = 0x2a;
      f[6] = static_cast<std::uint8_t>(shape.width);  // little endian, scale 0
      f[7] = static_cast<std::uint8_t>((shape.width >> 8) & 0x3f);
      f[8] = static_cast<std::uint8_t>(shape.height);
      f[9] = static_cast<std::uint8_t>((shape.height >> 8) & 0x3f);
    } else {
      std::fill(f + 3, f + kVp8FrameHeaderSize, kFiller);
    }
  }
  std::fill(p + header, p + payload.size() - kProbeSize, kFiller);
  return header;
}

void write_audio_payload(std::span<std::uint8_t> payload) noexcept {
  if (payload.size() <= kProbeSize) return;
  std::fill(payload.begin(), payload.end() - kProbeSize, kFiller);
}

}  // namespace rrtc::loadgen
