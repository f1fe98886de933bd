#pragma once
// What a publisher sends (command line --bitrate, --fps, --packet-size, --audio-bytes).

#include <cstdint>

namespace rrtc::loadgen {

struct MediaConfig {
  bool audio = true;
  bool video = true;
  std::uint64_t video_bitrate = 1'000'000;  // bits per second, key frames included on average
  unsigned fps = 30;
  unsigned packet_size = 1200;  // largest RTP payload, bytes
  unsigned audio_bytes = 100;   // Opus-sized payload, 50 packets per second
  unsigned keyframe_interval_ms = 2000;
  unsigned keyframe_factor = 3;  // a key frame is this many times a delta frame
};

}  // namespace rrtc::loadgen
