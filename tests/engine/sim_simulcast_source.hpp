#pragma once
// A simulcast camera for the deterministic room tests: what Chromium sends for a=simulcast:send
// q;h;f (bench/loadgen/client_sdp with PublishedStreams::layers = 3), on the SimClient's Peer.
// Each layer is its own RTP stream (own SSRC, sequence numbers, timestamp base, VP8 picture ids),
// every packet carries the mid and rid extensions (the server learns the SSRCs from them), and a
// layer's frames have a layer-specific number of packets (q 1, h 2, f 3) so a subscriber can
// tell which layer it is receiving from the frames alone. Key frames carry the layer's size
// (loadgen::kLayerShapes: 320x180, 640x360, 1280x720). With the client's transport-cc id set,
// packets carry its transport-wide numbers too (the server then stamps what it forwards).
//
// Threading: the simulated loop's only thread.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim_client.hpp"

namespace rrtc::engine::test {

class SimulcastSource {
 public:
  static constexpr int kLayers = 3;
  // Packets per frame of layer `index` (q, h, f).
  static constexpr int packets_per_frame(int index) { return index + 1; }

  explicit SimulcastSource(SimClient& client);

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
  std::array<Layer, kLayers> layers_{};
};

}  // namespace rrtc::engine::test
