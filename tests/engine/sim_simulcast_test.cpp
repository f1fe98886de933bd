// Issue 17 on the simulated network: a publisher sends three VP8 simulcast layers (rid q, h, f;
// no a=ssrc, so the server learns them from the rid extension); the subscriber receives one layer
// as one ordinary stream; a track paused for bandwidth says so in stream_state while audio keeps
// flowing, and resumes at a key frame with continuous sequence numbers, timestamps and picture
// ids; publish_layers follows what the subscriber needs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "sim_simulcast_fixture.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

TEST_F(SimSimulcastTest, ABandwidthPausedTrackSaysSoAndAudioKeepsFlowing) {
  join_simulcast("p");
  auto& s1 = join("s1", false);
  ASSERT_TRUE(pump([&] { return packets(s1, "p-camera") > 0; }, 10s));
  pump_for(1500ms);  // measured layer bitrates
  // 100 kbit/s: not even q (about 130 kbit/s) fits after the audio.
  ASSERT_TRUE(set_estimate("s1", 100'000));
  // For room::kBandwidthPauseGrace from the allocation that says so (once q's measured bitrate
  // no longer keeps it, allocator.hpp kKeepLowestPercent), the video keeps its lowest layer (a
  // collapse of the estimate is often brief); then it is paused.
  pump_for(200ms);
  EXPECT_EQ(state_of("s1", "p-camera")->paused, room::StreamPause::none);
  ASSERT_TRUE(pump([&] { return state_of("s1", "p-camera")->paused != room::StreamPause::none; },
                   room::kBandwidthPauseGrace + 4 * room::kAllocationInterval));
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::bandwidth, 0, 0}));
  const auto video = packets(s1, "p-camera");
  const auto audio = packets(s1, "p-audio");
  pump_for(2s);
  EXPECT_EQ(packets(s1, "p-camera"), video);
  EXPECT_EQ(packets(s1, "p-audio"), audio + 100);  // 50 packets per second
  EXPECT_TRUE(s1.connected());
  EXPECT_EQ(layers_of("p"), std::vector<std::string>{});
  // Room again: video resumes at a key frame, continuing the same stream.
  ASSERT_TRUE(set_estimate("s1", 5'000'000));
  pump_for(2s);
  EXPECT_GT(packets(s1, "p-camera"), video);
  EXPECT_EQ(check_stream(*s1.stream_of("p-camera")), SimulcastSource::packets_per_frame(2));
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 1280, 720}));
}

// Two subscribers of one simulcast camera on different layers: one asks for a small tile
// (track_settings max_width 320) and gets q, the other keeps f; the publisher is asked for
// exactly those two. When the f subscriber leaves, f is announced off.
TEST_F(SimSimulcastTest, TrackSettingsPutTwoSubscribersOnDifferentLayers) {
  join_simulcast("p");
  auto& s1 = join("s1", false);
  auto& s2 = join("s2", false);
  ASSERT_TRUE(pump([&] { return packets(s1, "p-camera") > 0 && packets(s2, "p-camera") > 0; },
                   10s));
  pump_for(1500ms);
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 1280, 720}));
  track_settings("s1", room::TrackSettingsUpdate{"p-camera", std::nullopt, 320, 180, std::nullopt});
  pump_for(2s);
  EXPECT_EQ(check_stream(*s1.stream_of("p-camera")), SimulcastSource::packets_per_frame(0));
  EXPECT_EQ(check_stream(*s2.stream_of("p-camera")), SimulcastSource::packets_per_frame(2));
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 320, 180}));
  EXPECT_EQ(state_of("s2", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 1280, 720}));
  EXPECT_EQ(layers_of("p"), (std::vector<std::string>{"q", "f"}));
  EXPECT_FALSE(sources_.at("p")->active(1));

  // The top layer's only subscriber leaves: f is announced off, s1 keeps q without a break.
  leave("s2");
  pump_for(2s);
  EXPECT_EQ(layers_of("p"), std::vector<std::string>{"q"});
  EXPECT_FALSE(sources_.at("p")->active(2));
  const auto before = packets(s1, "p-camera");
  pump_for(1s);
  EXPECT_EQ(packets(s1, "p-camera"), before + 25);  // 25 frames of one packet
  EXPECT_EQ(check_stream(*s1.stream_of("p-camera")), SimulcastSource::packets_per_frame(0));
}

// A screen share published before anyone's camera: it keeps its priority over the camera that
// comes later. Under an estimate with room for the screen's top layer and a little more, the
// screen stays at f and the camera gets q.
TEST_F(SimSimulcastTest, AScreenSharePublishedBeforeACameraKeepsPriority) {
  join_simulcast("a", room::TrackType::screen);
  set_state("a", room::ParticipantState{false, false, true});  // sharing, no camera
  auto& s1 = join("s1", false);
  ASSERT_TRUE(pump([&] { return packets(s1, "a-screen") > 0; }, 10s));
  pump_for(1500ms);
  EXPECT_EQ(state_of("s1", "a-screen"),
            (room::StreamState{"a-screen", room::StreamPause::none, 1280, 720}));
  join_simulcast("b");
  ASSERT_TRUE(pump([&] { return packets(s1, "b-camera") > 0; }, 10s));
  pump_for(1500ms);  // measured bitrates of b's layers
  EXPECT_EQ(state_of("s1", "b-camera"),
            (room::StreamState{"b-camera", room::StreamPause::none, 1280, 720}));
  // f is 3 x 600 bytes x 25 frames/s (about 370 kbit/s with headers), q a third of that: room
  // for two audio tracks, the screen's f and the camera's q, not for the camera's h.
  ASSERT_TRUE(set_estimate("s1", 700'000));
  pump_for(2s);
  EXPECT_EQ(state_of("s1", "a-screen"),
            (room::StreamState{"a-screen", room::StreamPause::none, 1280, 720}));
  EXPECT_EQ(state_of("s1", "b-camera"),
            (room::StreamState{"b-camera", room::StreamPause::none, 320, 180}));
  EXPECT_EQ(check_stream(*s1.stream_of("a-screen")), SimulcastSource::packets_per_frame(2));
  EXPECT_EQ(check_stream(*s1.stream_of("b-camera")), SimulcastSource::packets_per_frame(0));
  EXPECT_EQ(layers_of("a"), (std::vector<std::string>{"f"}));
  // a watches b's camera with no estimate: f.
  EXPECT_EQ(layers_of("b"), (std::vector<std::string>{"q", "f"}));
}

// A small tile asked for before any media arrived (a browser sends track_settings as soon as
// the tile is laid out): the cap applies once the layers' sizes are known.
TEST_F(SimSimulcastTest, TrackSettingsBeforeMediaCapOnceSizesAreKnown) {
  join_simulcast("p");
  auto& s1 = join("s1", false);
  // As soon as the server's offer carries the track, before any of its packets.
  ASSERT_TRUE(run_until([&] {
    return std::any_of(s1.tracks().begin(), s1.tracks().end(),
                       [](const auto& track) { return track.track_id == "p-camera"; });
  }, 5s));
  EXPECT_EQ(s1.stream_of("p-camera"), nullptr);
  track_settings("s1", room::TrackSettingsUpdate{"p-camera", std::nullopt, 320, std::nullopt, std::nullopt});
  pump_for(3s);
  EXPECT_EQ(check_stream(*s1.stream_of("p-camera")), SimulcastSource::packets_per_frame(0));
  EXPECT_EQ(state_of("s1", "p-camera"),
            (room::StreamState{"p-camera", room::StreamPause::none, 320, 180}));
  EXPECT_EQ(layers_of("p"), (std::vector<std::string>{"q"}));
}

// The whole loop, with nothing set by hand: the server's estimate for the subscriber comes from
// its own transport-cc feedback (stamped packets, feedback every 100 ms), allocation follows it.
// The subscriber's downlink drops to 100 kbit/s: its camera is paused for bandwidth, its audio
// keeps flowing and it stays connected. The limit goes: padding probes on the paused track find
// the room again and the top layer is back within 10 s, switched in at key frames.
TEST_F(SimSimulcastBandwidthTest, ALimitedSubscriberKeepsAudioThenGetsTheTopLayerBackAfterTheLimit) {
  auto& p = join_simulcast("p");
  p.set_transport_cc_id(loadgen::kTransportCcExtensionId);
  auto& s1 = join("s1", false);
  ASSERT_TRUE(pump([&] { return packets(s1, "p-camera") > 0; }, 10s));
  const std::uint8_t down_id = transport_cc_id(last_server_offer.at("s1"));
  ASSERT_NE(down_id, 0) << "the publisher's packets carry transport-cc: s1 is offered it";
  transport_cc_.attach(s1, down_id, loop());
  const auto top = SimulcastSource::packets_per_frame(2);
  ASSERT_TRUE(pump_with_feedback(s1, [&] { return layer_frames(s1) == top; }, 10s))
      << "s1 never reached the top layer; its last frames have " << layer_frames(s1) << " packets";

  auto link = path("s1").link(ice::Side::A);
  const auto unlimited = link;
  link.bandwidth = 100'000;
  link.queue_limit = 10'000;
  path("s1").set_link(ice::Side::A, link);
  ASSERT_TRUE(pump_with_feedback(
      s1, [&] { return state_of("s1", "p-camera") &&
                       state_of("s1", "p-camera")->paused == room::StreamPause::bandwidth; },
      10s))
      << "the camera was not paused for bandwidth under 100 kbit/s";
  pump_with_feedback(s1, nullptr, 1s);  // the queue drains
  const auto audio = packets(s1, "p-audio");
  pump_with_feedback(s1, nullptr, 3s);
  EXPECT_GE(packets(s1, "p-audio"), audio + 140) << "audio (50 packets/s) keeps flowing";
  EXPECT_TRUE(s1.connected());
  EXPECT_EQ(state_of("s1", "p-camera")->paused, room::StreamPause::bandwidth);

  const std::size_t paused_frames = frames_of(*s1.stream_of("p-camera")).size();
  path("s1").set_link(ice::Side::A, unlimited);
  const auto lifted = loop().now();
  ASSERT_TRUE(pump_with_feedback(s1, [&] {
    const auto state = state_of("s1", "p-camera");
    return layer_frames(s1) == top && state && state->paused == room::StreamPause::none &&
           state->width == 1280;
  }, 10s)) << "not back to the top layer within 10 s of the limit going";
  const double seconds =
      std::chrono::duration<double>(loop().now() - lifted).count();
  std::printf("  100 kbit/s limit lifted: top layer back after %.2f s\n", seconds);
  // Video came back with a key frame, and every layer change since was at one (before the lift
  // the 100 kbit/s queue dropped packets: those frames are incomplete).
  const auto frames = frames_of(*s1.stream_of("p-camera"));
  const std::size_t resumed = paused_frames;
  ASSERT_LT(resumed + 1, frames.size());
  EXPECT_TRUE(frames[resumed].keyframe);
  for (std::size_t i = resumed + 1; i + 1 < frames.size(); ++i) {
    if (frames[i].packets != frames[i - 1].packets) {
      EXPECT_TRUE(frames[i].keyframe) << "a layer switch without a key frame at frame " << i;
    }
  }
}

}  // namespace
}  // namespace rrtc::engine::test
