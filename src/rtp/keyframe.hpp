// Key-frame probes on RTP payloads, without depacketizing or decoding.
//
// Each probe answers "does this packet start a frame a decoder can begin from?" for one
// payload format. They read only inside `payload` (any bytes are safe: truncated or garbage
// input answers false) and allocate nothing. The Router uses them to switch a subscriber onto
// a stream (simulcast layer, new publisher) only at a key frame.
#pragma once

#include <cstdint>
#include <span>

namespace rrtc::rtp {

enum class VideoCodec : std::uint8_t { kVp8, kVp9, kH264, kAv1 };

// RFC 7741: start of partition 0 (S=1, PID=0) whose VP8 frame header has P=0 (key frame) and
// the key-frame start code 9d 01 2a.
bool is_vp8_keyframe(std::span<const std::uint8_t> payload) noexcept;
// RFC 9628 (draft-ietf-payload-vp9): B=1, P=0, spatial layer 0 when L is present; and, when
// the VP9 uncompressed header follows, its frame_type says KEY_FRAME.
bool is_vp9_keyframe(std::span<const std::uint8_t> payload) noexcept;
// RFC 6184: an IDR slice (5) or SPS (7) as a single NAL unit, inside a STAP-A, or at the start
// of an FU-A.
bool is_h264_keyframe(std::span<const std::uint8_t> payload) noexcept;
// AV1 RTP payload format section 4.4: aggregation header N=1 (first packet of a coded video
// sequence) or an OBU_SEQUENCE_HEADER among the OBU elements that start in this packet.
bool is_av1_keyframe(std::span<const std::uint8_t> payload) noexcept;

bool is_keyframe(VideoCodec codec, std::span<const std::uint8_t> payload) noexcept;

}  // namespace rrtc::rtp
