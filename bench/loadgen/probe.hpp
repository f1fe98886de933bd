#pragma once
// What every synthetic RTP payload carries, and the synthetic VP8 payloads themselves.
//
// The probe sits in the LAST kProbeSize bytes of the payload, so it survives whatever a forwarder
// does at the front (VP8 descriptor rewriting, the 2-byte original sequence number RTX
// prepends):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       magic "RLG1"                            |
//   |                       publisher index                         |
//   |    stream     |     layer     |         reserved (0)          |
//   |                 sequence (64 bits, per publisher stream)      |
//   |                 send time (CLOCK_MONOTONIC ns, 64 bits)       |
//
// The stream field is the kind (audio, video) and the simulcast layer (0 = the lowest rid, "q";
// 0 also for audio and single-stream video), so a receiver tells the layers of one publisher
// apart whichever of them the server forwards.
//
// Pure: no clock, no I/O; the caller passes the send time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::loadgen {

inline constexpr std::size_t kProbeSize = 28;
inline constexpr std::uint32_t kProbeMagic = 0x524C4731;  // "RLG1"

enum class StreamKind : std::uint8_t { audio = 0, video = 1 };
inline constexpr std::size_t kStreamKinds = 2;

// Most simulcast layers a publisher sends (q, h, f).
inline constexpr std::size_t kMaxLayers = 3;

struct Probe {
  std::uint32_t publisher = 0;
  StreamKind stream = StreamKind::audio;
  std::uint64_t sequence = 0;  // per publisher stream and layer
  std::uint64_t send_ns = 0;
  std::uint8_t layer = 0;  // < kMaxLayers
  bool operator==(const Probe&) const = default;
};

// Writes the probe into the last kProbeSize bytes of `payload`; false if it is shorter.
bool write_probe(std::span<std::uint8_t> payload, const Probe& probe) noexcept;
// Reads the probe at the end of `payload`; nullopt if too short, wrong magic, unknown stream or
// layer.
std::optional<Probe> read_probe(std::span<const std::uint8_t> payload) noexcept;

// RFC 7741 VP8 payload descriptor as browsers write it: X=1, I=1 with a 15-bit picture id; with
// temporal layering (Chromium's simulcast) also L=1, T=1 (+K=1): TL0PICIDX and TID|Y|KEYIDX.
inline constexpr std::size_t kVp8DescriptorSize = 4;
inline constexpr std::size_t kVp8LayeredDescriptorSize = 6;
// RFC 6386 section 9.1: the frame tag (3 bytes) and, for key frames, start code and size.
inline constexpr std::size_t kVp8FrameHeaderSize = 10;

struct Vp8PacketShape {
  bool start_of_frame = false;   // S bit; the frame header follows the descriptor
  bool key_frame = false;        // only meaningful with start_of_frame
  std::uint16_t picture_id = 0;  // 15 bits
  bool layered = false;          // write TL0PICIDX and TID/Y/KEYIDX (kVp8LayeredDescriptorSize)
  std::uint8_t tl0picidx = 0;
  std::uint8_t tid = 0;     // 0..3
  bool layer_sync = false;  // Y
  std::uint8_t keyidx = 0;  // 5 bits
  // The key frame header's size (RFC 6386 9.1, 14 bits each).
  std::uint16_t width = 640;
  std::uint16_t height = 480;
};

// Writes descriptor (+ frame header on the first packet of a frame) at the front of `payload`
// and fills the rest up to the probe with a constant. Returns the bytes of the header part, or
// 0 if `payload` cannot hold header + probe.
std::size_t write_vp8_payload(std::span<std::uint8_t> payload,
                              const Vp8PacketShape& shape) noexcept;

// Fills the front of an audio payload (everything before the probe) with a constant.
void write_audio_payload(std::span<std::uint8_t> payload) noexcept;

}  // namespace rrtc::loadgen
