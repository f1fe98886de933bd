#pragma once
// A simulcast camera for the deterministic room tests: what Chromium sends for a=simulcast:send
// q;h;f (bench/loadgen/client_sdp with PublishedStreams::layers = 3), on the SimClient's Peer.
// Each layer is its own RTP stream (own SSRC, sequence numbers, timestamp base, VP8 picture ids),
// every packet carries the mid and rid extensions (the server learns the SSRCs from them), and a
// layer's frames have a layer-specific number of packets (q 1, h 2, f 3) so a subscriber can
// tell which layer it is receiving from the frames alone. Key frames carry the layer's size
// (loadgen::kLayerShapes: 320x180, 640x360, 1280x720). With the client's transport-cc id set,
// packets carry its transport-wide numbers too (the server then stamps what it forwards).
// A Ladder changes each layer's packets and payload per frame (kChromiumLadder: the bitrates a
// Chromium 1280x720 camera sends, with key frames several times a delta frame); the last byte of
// every media packet's payload is kLayerMark + the layer's index, so a receiver can tell the
// layer of any packet.
//
// Threading: the simulated loop's only thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim_client.hpp"

namespace rrtc::engine::test {

// One layer's frames: packets of `payload_bytes` each, more of them in a key frame.
struct LayerFrames {
  int packets = 1;
  int keyframe_packets = 1;
  std::size_t payload_bytes = 600;
};
using Ladder = std::array<LayerFrames, 3>;

// q 1, h 2, f 3 packets of 600 bytes, key frames the same (25 frames/s: about 130, 250 and 380
// kbit/s on the wire).
inline constexpr Ladder kSmallLadder{{{1, 1, 600}, {2, 2, 600}, {3, 3, 600}}};
// At 25 frames/s: q 1 x 750 bytes (about 160 kbit/s on the wire), h 2 x 1200 (about 500
// kbit/s), f 8 x 1200 (about 1.95 Mbit/s); key frames 4, 8 and 24 packets (Chromium's VP8 key
// frames are 3-5 times a delta frame).
inline constexpr Ladder kChromiumLadder{{{1, 4, 750}, {2, 8, 1200}, {8, 24, 1200}}};

class SimulcastSource {
 public:
  static constexpr int kLayers = 3;
  static constexpr std::uint8_t kLayerMark = 0xA0;
  // Packets per frame of layer `index` (q, h, f) with kSmallLadder.
  static constexpr int packets_per_frame(int index) { return index + 1; }

  explicit SimulcastSource(SimClient& client, const Ladder& ladder = kSmallLadder);

  // One frame on every layer the server wants (publish_layers); key frames when `keyframe`, or
  // on every layer when the server asked for one since the last frame.
  void send_frame(bool keyframe = false);
  // What the last publish_layers said: the rids the publisher still sends.
  void set_active(const std::vector<std::string>& rids);
  bool active(int index) const noexcept { return layers_[static_cast<std::size_t>(index)].active; }
  std::uint32_t ssrc(int index) const noexcept {
    return layers_[static_cast<std::size_t>(index)].ssrc;
  }

 private:
  struct Layer {
    std::uint32_t ssrc = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint16_t picture_id = 0;
    bool active = true;
  };
  void send_packet(int index, bool keyframe, bool first, bool last);

  SimClient& client_;
  Ladder ladder_;
  std::array<Layer, kLayers> layers_{};
};

}  // namespace rrtc::engine::test
