#pragma once
// What a publisher sends (command line --bitrate, --fps, --packet-size, --audio-bytes,
// --simulcast, --temporal-layers).

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
  // Simulcast (--simulcast): three rid layers q, h, f at 1/16, 1/4 and 1 of video_bitrate
  // (a 4:2:1 resolution ladder); 1: one stream with a=ssrc as before.
  unsigned layers = 1;
  // VP8 temporal layers per stream (1..3); above 1 the descriptor carries TL0PICIDX / TID in
  // the L1T2 / L1T3 patterns. Simulcast streams always carry TL0PICIDX / TID (TID 0 with 1).
  unsigned temporal_layers = 1;
};

// One simulcast layer's share of the top bitrate and its key frames' size, lowest first.
struct LayerShape {
  const char* rid;
  unsigned bitrate_divisor;
  std::uint16_t width, height;
};
inline constexpr LayerShape kLayerShapes[] = {
    {"q", 16, 320, 180}, {"h", 4, 640, 360}, {"f", 1, 1280, 720}};

}  // namespace rrtc::loadgen
