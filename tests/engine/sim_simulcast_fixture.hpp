#pragma once
// The simulcast fixtures of engine_simulcast_sim_test (issue 17): a publisher of audio and a
// q/h/f simulcast camera (SimulcastSource) on the simulated network, helpers reading what a
// subscriber received frame by frame, and a variant whose subscriber sends transport-cc feedback
// every 100 ms (the server's estimate then comes from the subscriber's own feedback).
//
// Threading: the simulated loop's only thread.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim_room.hpp"
#include "sim_simulcast_source.hpp"
#include "sim_transport_cc.hpp"

namespace rrtc::engine::test {

using namespace std::chrono_literals;

// One frame as a subscriber received it: its media packets (all share the rewritten timestamp
// and picture id).
struct Frame {
  std::uint32_t timestamp = 0;
  int packets = 0;
  bool keyframe = false;
  std::int32_t picture_id = -1;
};

// The frames of `stream` in the order their first packet arrived; padding (probes) left out.
inline std::vector<Frame> frames_of(const ReceivedStream& stream) {
  std::vector<Frame> frames;
  std::map<std::uint32_t, std::size_t> index;
  for (std::size_t i = 0; i < stream.timestamp.size(); ++i) {
    if (stream.padding[i]) continue;
    const auto [it, fresh] = index.emplace(stream.timestamp[i], frames.size());
    if (fresh) frames.push_back(Frame{stream.timestamp[i], 0, false, stream.picture_id[i]});
    auto& frame = frames[it->second];
    ++frame.packets;
    frame.keyframe = frame.keyframe || stream.keyframe[i];
    EXPECT_EQ(frame.picture_id, stream.picture_id[i]) << "one frame, one picture id";
  }
  return frames;
}

// Checks what a subscriber received of a simulcast track: one stream, every sequence number
// once with none missing (probes' padding included), and frame by frame timestamps going forward,
// picture ids + 1, each change of layer (the packets per frame) at a key frame. Returns the
// packets per frame of the last complete frame.
inline int check_stream(const ReceivedStream& stream) {
  EXPECT_TRUE(stream.missing.empty());
  std::set<int> distances;
  for (const auto seq : stream.sequence) {
    distances.insert(static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - stream.sequence[0])));
  }
  EXPECT_EQ(distances.size(), stream.sequence.size()) << "a sequence number came twice";
  if (!distances.empty()) {
    EXPECT_EQ(*distances.rbegin() - *distances.begin() + 1, static_cast<int>(distances.size()))
        << "a gap in the sequence numbers";
  }
  const auto frames = frames_of(stream);
  // The last frame may still be incomplete (its other packets in flight): ignore it.
  const std::size_t complete = frames.size() > 1 ? frames.size() - 1 : 0;
  for (std::size_t i = 1; i < complete; ++i) {
    const auto step = static_cast<std::int32_t>(frames[i].timestamp - frames[i - 1].timestamp);
    EXPECT_GT(step, 0) << "frame " << i;
    EXPECT_EQ(frames[i].picture_id, (frames[i - 1].picture_id + 1) & 0x7fff) << "frame " << i;
    if (frames[i].packets != frames[i - 1].packets) {
      EXPECT_TRUE(frames[i].keyframe) << "a layer switch without a key frame at frame " << i;
    }
  }
  EXPECT_TRUE(frames.empty() || frames[0].keyframe);
  return complete > 0 ? frames[complete - 1].packets : 0;
}

class SimSimulcastTest : public SimRoomTest {
 protected:
  // A publisher of audio and a q/h/f simulcast camera (or screen).
  SimClient& join_simulcast(const std::string& id, room::TrackType video = room::TrackType::camera,
                            const Ladder& ladder = kSmallLadder) {
    auto& client = enter(id, true);
    client.set_video_layers(3);
    send_offer(id, client.offer(),
               {room::TrackInfo{"0", room::TrackType::audio}, room::TrackInfo{"1", video}});
    sources_.emplace(id, std::make_unique<SimulcastSource>(client, ladder));
    return client;
  }
  // Every 20 ms each publisher's audio, every 40 ms its simulcast frame (the layers the last
  // publish_layers asked for), until `done` or `max`.
  bool pump(const std::function<bool()>& done, time::Duration max) {
    const auto end = loop().now() + max;
    while (loop().now() < end) {
      if (done && done()) return true;
      // One phase per step for all publishers: each sends a frame every other step.
      const bool frame = phase_++ % 2 == 0;
      for (auto& [id, source] : sources_) {
        auto* publisher = client(id);
        if (publisher == nullptr || !publisher->connected()) continue;
        for (auto it = publish_layers.rbegin(); it != publish_layers.rend(); ++it) {
          if (it->participant != id) continue;
          source->set_active(it->active);
          break;
        }
        publisher->send_audio();
        if (frame) source->send_frame();
      }
      run_for(20ms);
    }
    return done && done();
  }
  void pump_for(time::Duration duration) { pump(nullptr, duration); }
  // The last stream_state `participant` got for `track_id`.
  std::optional<room::StreamState> state_of(const std::string& participant,
                                            const std::string& track_id) const {
    for (auto it = stream_states.rbegin(); it != stream_states.rend(); ++it) {
      if (it->participant == participant && it->state.track_id == track_id) return it->state;
    }
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> layers_of(const std::string& publisher) const {
    for (auto it = publish_layers.rbegin(); it != publish_layers.rend(); ++it) {
      if (it->participant == publisher) return it->active;
    }
    return std::nullopt;
  }
  // Media packets `subscriber` got of `track_id` (bandwidth probes' padding apart: a track
  // paused for bandwidth still carries them).
  std::size_t packets(SimClient& subscriber, const std::string& track_id) {
    const auto* stream = subscriber.stream_of(track_id);
    if (stream == nullptr) return 0;
    return static_cast<std::size_t>(
        std::count(stream->padding.begin(), stream->padding.end(), false));
  }


  std::map<std::string, std::unique_ptr<SimulcastSource>> sources_;
  int phase_ = 0;
};

// For the whole loop, with nothing set by hand: the server's estimate for subscriber s1 comes
// from s1's own transport-cc feedback (stamped packets, feedback every 100 ms).
class SimSimulcastBandwidthTest : public SimSimulcastTest {
 protected:
  void TearDown() override {
    if (auto* c = client("s1")) c->set_rtp_observer(nullptr);
  }
  // pump_for in 20 ms steps, s1's feedback every 100 ms; until `done` or `max`.
  bool pump_with_feedback(SimClient& s1, const std::function<bool()>& done, time::Duration max) {
    const auto end = loop().now() + max;
    for (int i = 1; loop().now() < end; ++i) {
      if (done && done()) return true;
      pump_for(20ms);
      if (i % 5 == 0) transport_cc_.send(s1);
    }
    return done && done();
  }
  // Packets per frame of the last complete frame s1 received of p's camera (the layer: 1, 2, 3).
  int layer_frames(SimClient& s1) {
    const auto* stream = s1.stream_of("p-camera");
    if (stream == nullptr) return 0;
    const auto frames = frames_of(*stream);
    return frames.size() > 1 ? frames[frames.size() - 2].packets : 0;
  }
  SimTransportCc transport_cc_;
};

}  // namespace rrtc::engine::test
