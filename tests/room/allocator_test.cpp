// The per-subscriber layer allocator (room/allocator.hpp): exact layers and pause reasons for
// each estimate. The ladder is a Chromium-like 3-layer VP8 simulcast (150 kbit/s 320x180,
// 500 kbit/s 640x360, 1.5 Mbit/s 1280x720) and Opus at 32 kbit/s; going up needs 15 % headroom.
#include "room/allocator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "support/counting_new.hpp"

namespace rrtc::room {
namespace {

using P = AllocationPriority;

constexpr std::array<LayerRate, 3> kLadder{{
    {150'000, 320, 180, true},
    {500'000, 640, 360, true},
    {1'500'000, 1280, 720, true},
}};
constexpr std::array<LayerRate, 1> kOpus{{{32'000, 0, 0, true}}};
// A screen share: one layer, 1.2 Mbit/s.
constexpr std::array<LayerRate, 1> kScreen{{{1'200'000, 1920, 1080, true}}};

constexpr AllocationOutput kPausedBandwidth{-1, StreamPause::bandwidth};
constexpr AllocationOutput kPausedRequested{-1, StreamPause::requested};
constexpr AllocationOutput kPausedPublisher{-1, StreamPause::publisher};
constexpr AllocationOutput on(int layer) { return {layer, StreamPause::none}; }

AllocationInput audio() { return {P::audio, kOpus, {}, 0}; }
AllocationInput camera(int current = -1, TrackSettings settings = {}) {
  return {P::camera, kLadder, settings, current};
}
AllocationInput speaker(int current = -1) { return {P::speaker, kLadder, {}, current}; }
AllocationInput screen(int current = -1) { return {P::screen, kScreen, {}, current}; }

std::vector<AllocationOutput> run(std::uint64_t available, const std::vector<AllocationInput>& in) {
  std::vector<AllocationOutput> out(in.size());
  allocate(available, in, out);
  return out;
}

using Outputs = std::vector<AllocationOutput>;

TEST(Allocator, EverythingFitsEveryTrackGetsItsTopLayer) {
  const Outputs expected{on(0), on(0), on(2), on(2)};
  // From paused: 64k of audio, the first camera's 1.5M, then the second camera's 1.5M with its
  // 15 % headroom (1.725M): 3.289 Mbit/s. The headroom is a test, not a reservation.
  EXPECT_EQ(run(3'289'000, {audio(), audio(), camera(), camera()}), expected);
  EXPECT_EQ(run(10'000'000, {audio(), audio(), camera(), camera()}), expected);
  // No estimate yet: no limit.
  EXPECT_EQ(run(0, {audio(), audio(), camera(), camera()}), expected);
  // 1 kbit/s less: the second camera stays one layer down.
  EXPECT_EQ(run(3'288'000, {audio(), audio(), camera(), camera()}),
            (Outputs{on(0), on(0), on(2), on(1)}));
}

TEST(Allocator, At400KbpsCamerasGetOnlyTheirLowLayer) {
  // 400k - 64k audio = 336k: two low layers (2 x 172.5k from paused) fit, a mid one (575k) not.
  EXPECT_EQ(run(400'000, {audio(), camera(), audio(), camera()}),
            (Outputs{on(0), on(0), on(0), on(0)}));
  // Already forwarding the top layer: the same estimate still gives the low layers.
  EXPECT_EQ(run(400'000, {audio(), camera(2), audio(), camera(2)}),
            (Outputs{on(0), on(0), on(0), on(0)}));
}

TEST(Allocator, At100KbpsVideoIsPausedForBandwidthAndAudioKept) {
  EXPECT_EQ(run(100'000, {audio(), camera(0), audio(), camera(0)}),
            (Outputs{on(0), kPausedBandwidth, on(0), kPausedBandwidth}));
  // Audio is allocated even when the estimate does not cover it.
  EXPECT_EQ(run(20'000, {audio(), audio(), camera()}), (Outputs{on(0), on(0), kPausedBandwidth}));
  // One camera still fits at 100k when it is the only video and already at its low layer:
  // 100k - 32k audio = 68k < 150k, so no.
  EXPECT_EQ(run(100'000, {audio(), camera(0)}), (Outputs{on(0), kPausedBandwidth}));
  // 182k - 32k = 150k: keeping the low layer needs it to fit, exactly.
  EXPECT_EQ(run(182'000, {audio(), camera(0)}), (Outputs{on(0), on(0)}));
}

TEST(Allocator, ScreenShareBeatsCameraWhateverTheInputOrder) {
  // 1.5M: the screen (1.38M with headroom) first, then the camera's low layer in what is left.
  EXPECT_EQ(run(1'500'000, {camera(), screen()}), (Outputs{on(0), on(0)}));
  // 1.45M: 32k audio, the screen 1.2M (1.38M from paused), 218k left: the camera's low layer
  // (172.5k from paused) fits. Needing 1.38M, a screen from paused always leaves 180k.
  EXPECT_EQ(run(1'450'000, {audio(), camera(), screen()}), (Outputs{on(0), on(0), on(0)}));
  // A screen forwarded already keeps it at 1.2M: 1.4M leaves 168k, the camera is paused.
  EXPECT_EQ(run(1'400'000, {audio(), camera(), screen(0)}),
            (Outputs{on(0), kPausedBandwidth, on(0)}));
  // Plenty: the screen at its layer, the camera at its top.
  EXPECT_EQ(run(5'000'000, {camera(), screen()}), (Outputs{on(2), on(0)}));
}

TEST(Allocator, ATrackThatDoesNotFitReservesNothing) {
  // 1.3M cannot take the screen (1.38M); the camera takes what the screen could not.
  EXPECT_EQ(run(1'300'000, {screen(), camera()}), (Outputs{kPausedBandwidth, on(1)}));
}

// keep_lowest (the Router's grace before a bandwidth pause): a track whose lowest layer does not
// fit keeps it, squeezed, and what it takes is not there for lower-priority tracks.
TEST(Allocator, KeepLowestKeepsTheLowLayerAndCountsItAgainstTheBudget) {
  AllocationInput kept = screen(0);
  kept.keep_lowest = true;
  // 600k: the screen does not fit (kept at its only layer while 60 % of 1.2M, 720k, fits);
  // kept anyway, it leaves nothing for the camera.
  EXPECT_EQ(run(600'000, {kept, camera(0)}),
            (Outputs{AllocationOutput{0, StreamPause::none, true}, kPausedBandwidth}));
  // Without keep_lowest the camera takes what the screen could not (its mid layer, 575k with
  // headroom).
  EXPECT_EQ(run(600'000, {screen(0), camera(0)}), (Outputs{kPausedBandwidth, on(1)}));
  // When it fits, keep_lowest changes nothing: not squeezed.
  EXPECT_EQ(run(1'400'000, {kept, camera(0)}), (Outputs{on(0), on(0)}));
}

TEST(Allocator, TheSpeakersCameraBeatsTheOthers) {
  // 2.5M: the speaker's camera (input 2) rises first to its top (1.725M), then camera 0 to the
  // mid layer, and camera 1 keeps its low layer.
  EXPECT_EQ(run(2'500'000, {camera(), camera(), speaker()}), (Outputs{on(1), on(0), on(2)}));
  // 350k: two low layers fit; the last camera (lowest priority, last in input) is paused.
  EXPECT_EQ(run(350'000, {camera(), camera(), speaker()}),
            (Outputs{on(0), kPausedBandwidth, on(0)}));
  // Screen > speaker > camera all at once. 1.9M: the screen (1.38M) leaves 520k; the low
  // layers leave 220k; raising the speaker: 370k < 575k, so everyone stays low.
  EXPECT_EQ(run(1'900'000, {camera(), speaker(), screen()}), (Outputs{on(0), on(0), on(0)}));
  // 2.0M: the speaker's budget is 650k: mid; the camera's 150k + 150k: low.
  EXPECT_EQ(run(2'000'000, {camera(), speaker(), screen()}), (Outputs{on(0), on(1), on(0)}));
  // 2.3M: the speaker's 950k cannot reach the top (1.725M): mid; the camera's 600k: mid too.
  EXPECT_EQ(run(2'300'000, {camera(), speaker(), screen()}), (Outputs{on(1), on(1), on(0)}));
}

TEST(Allocator, SettingsCapTheLayerAndPause) {
  auto capped = [](std::uint32_t w, std::uint32_t h) {
    TrackSettings s;
    s.max_width = w;
    s.max_height = h;
    return camera(-1, s);
  };
  // The smallest layer at least as large as asked.
  EXPECT_EQ(run(0, {capped(640, 360)}), (Outputs{on(1)}));
  EXPECT_EQ(run(0, {capped(400, 200)}), (Outputs{on(1)}));
  EXPECT_EQ(run(0, {capped(320, 180)}), (Outputs{on(0)}));
  EXPECT_EQ(run(0, {capped(100, 100)}), (Outputs{on(0)}));
  // One dimension asked: only that one counts.
  EXPECT_EQ(run(0, {capped(321, 0)}), (Outputs{on(1)}));
  EXPECT_EQ(run(0, {capped(0, 360)}), (Outputs{on(1)}));
  // Larger than any layer: the top.
  EXPECT_EQ(run(0, {capped(1920, 1080)}), (Outputs{on(2)}));
  // With an estimate: the cap and bandwidth both hold; the cap frees bandwidth for the next.
  EXPECT_EQ(run(10'000'000, {capped(640, 360), camera()}), (Outputs{on(1), on(2)}));
  EXPECT_EQ(run(400'000, {capped(640, 360)}), (Outputs{on(0)}));
  EXPECT_EQ(run(2'300'000, {capped(640, 360), camera()}), (Outputs{on(1), on(2)}));
  // Paused by the subscriber whatever the estimate; max_fps does not choose a layer.
  TrackSettings paused;
  paused.paused = true;
  EXPECT_EQ(run(0, {camera(2, paused), audio()}), (Outputs{kPausedRequested, on(0)}));
  EXPECT_EQ(run(100'000, {camera(2, paused)}), (Outputs{kPausedRequested}));
  TrackSettings fps;
  fps.max_fps = 15;
  EXPECT_EQ(run(0, {camera(-1, fps)}), (Outputs{on(2)}));
  // Layers of unknown size are never "large enough": the cap falls to the top.
  constexpr std::array<LayerRate, 2> kUnsized{{{150'000, 0, 0, true}, {500'000, 0, 0, true}}};
  TrackSettings small;
  small.max_width = 320;
  EXPECT_EQ(run(0, {AllocationInput{P::camera, kUnsized, small, -1}}), (Outputs{on(1)}));
}

// One camera alone, fed back its own answer as current_layer, as the Router does.
std::vector<int> layers_for(std::initializer_list<std::uint64_t> estimates, int current = -1) {
  std::vector<int> layers;
  for (const auto estimate : estimates) {
    const auto out = run(estimate, {camera(current)});
    current = out[0].layer;
    layers.push_back(current);
  }
  return layers;
}

TEST(Allocator, HysteresisKeepsTheLayerWhileTheEstimateHoversAtABoundary) {
  // Top layer 1.5M: kept down to 1.5M, regained only at 1.725M.
  EXPECT_EQ(layers_for({2'000'000, 1'600'000, 1'500'000, 1'499'000, 1'560'000, 1'490'000, 1'560'000,
                        1'700'000, 1'724'999, 1'725'000, 1'510'000}),
            (std::vector<int>{2, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2}));
  // Mid layer 500k: kept down to 500k, regained at 575k.
  EXPECT_EQ(layers_for({520'000, 499'000, 520'000, 560'000, 574'999, 575'000, 500'000}, 1),
            (std::vector<int>{1, 0, 0, 0, 0, 1, 1}));
  // Low layer 150k, forwarded: kept down to 60 % of it (90k), paused under that, resumed only at
  // 172.5k.
  EXPECT_EQ(layers_for({160'000, 149'999, 90'000, 89'999, 160'000, 170'000, 172'499, 172'500,
                        150'000},
                       1),
            (std::vector<int>{0, 0, 0, -1, -1, -1, -1, 0, 0}));
  // Without hysteresis an estimate alternating around 1.5M would flap 2,1,2,1.
  EXPECT_EQ(layers_for({1'520'000, 1'480'000, 1'520'000, 1'480'000}, 2),
            (std::vector<int>{2, 1, 1, 1}));
}

TEST(Allocator, InactiveLayersAreSkipped) {
  constexpr std::array<LayerRate, 3> kNoTop{
      {kLadder[0], kLadder[1], {1'500'000, 1280, 720, false}}};
  constexpr std::array<LayerRate, 3> kNoLow{{{150'000, 320, 180, false}, kLadder[1], kLadder[2]}};
  constexpr std::array<LayerRate, 3> kNoMid{{kLadder[0], {500'000, 640, 360, false}, kLadder[2]}};
  constexpr std::array<LayerRate, 3> kNone{
      {{150'000, 320, 180, false}, {500'000, 640, 360, false}, {1'500'000, 1280, 720, false}}};
  const auto track = [](std::span<const LayerRate> layers, int current = -1) {
    return AllocationInput{P::camera, layers, {}, current};
  };
  EXPECT_EQ(run(0, {track(kNoTop)}), (Outputs{on(1)}));
  EXPECT_EQ(run(10'000'000, {track(kNoTop)}), (Outputs{on(1)}));
  // The lowest active layer is the mid one: 575k from paused.
  EXPECT_EQ(run(400'000, {track(kNoLow)}), (Outputs{kPausedBandwidth}));
  EXPECT_EQ(run(575'000, {track(kNoLow)}), (Outputs{on(1)}));
  // A cap on an inactive layer: the highest active layer under it.
  TrackSettings cap;
  cap.max_width = 640;
  cap.max_height = 360;
  EXPECT_EQ(run(0, {AllocationInput{P::camera, kNoMid, cap, -1}}), (Outputs{on(0)}));
  // Skipped going up too: 1.8M jumps from the low layer straight to the top.
  EXPECT_EQ(run(1'800'000, {track(kNoMid, 0)}), (Outputs{on(2)}));
  EXPECT_EQ(run(1'000'000, {track(kNoMid, 0)}), (Outputs{on(0)}));
  // No active layer: paused by the publisher, whatever the estimate.
  EXPECT_EQ(run(0, {track(kNone)}), (Outputs{kPausedPublisher}));
  EXPECT_EQ(run(10'000'000, {track(kNone)}), (Outputs{kPausedPublisher}));
  // A track with no layers at all (the Router passes none for a track its publisher turned off).
  EXPECT_EQ(run(2'000'000, {AllocationInput{P::camera, {}, {}, 1}, camera()}),
            (Outputs{kPausedPublisher, on(2)}));
  constexpr std::array<LayerRate, 1> kSilentOpus{{{32'000, 0, 0, false}}};
  EXPECT_EQ(run(1'000'000, {AllocationInput{P::audio, kSilentOpus, {}, 0}}),
            (Outputs{kPausedPublisher}));
}

TEST(Allocator, UnmeasuredLayersCountAsTheDefaultTable) {
  EXPECT_EQ(default_layer_bitrate(P::audio, {}, 0, 1), 40'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {0, 320, 180, true}, 0, 3), 150'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {0, 320, 240, true}, 0, 3), 150'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {0, 640, 360, true}, 1, 3), 500'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {0, 640, 480, true}, 1, 3), 500'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {0, 1280, 720, true}, 2, 3), 1'500'000u);
  EXPECT_EQ(default_layer_bitrate(P::screen, {0, 1920, 1080, true}, 0, 1), 2'500'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {}, 0, 3), 150'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {}, 1, 3), 500'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {}, 2, 3), 1'500'000u);
  EXPECT_EQ(default_layer_bitrate(P::camera, {}, 0, 1), 1'000'000u);
  constexpr std::array<LayerRate, 3> kUnmeasured{
      {{0, 320, 180, true}, {0, 640, 360, true}, {0, 1280, 720, true}}};
  EXPECT_EQ(layer_bitrate(P::camera, kUnmeasured, 1), 500'000u);
  EXPECT_EQ(layer_bitrate(P::camera, kLadder, 1), 500'000u);
  // 700k: mid (575k) fits, top (1.725M) does not.
  EXPECT_EQ(run(700'000, {AllocationInput{P::camera, kUnmeasured, {}, -1}}), (Outputs{on(1)}));
  // Unmeasured audio takes 40k first: 190k leaves 150k, under the low layer's 172.5k.
  constexpr std::array<LayerRate, 1> kUnmeasuredOpus{{{0, 0, 0, true}}};
  EXPECT_EQ(run(190'000, {AllocationInput{P::audio, kUnmeasuredOpus, {}, 0}, camera()}),
            (Outputs{on(0), kPausedBandwidth}));
}

TEST(Allocator, TemporalLayerForMaxFps) {
  EXPECT_EQ(temporal_layer_for_fps(0), 2);
  EXPECT_EQ(temporal_layer_for_fps(30), 2);
  EXPECT_EQ(temporal_layer_for_fps(60), 2);
  EXPECT_EQ(temporal_layer_for_fps(29), 1);
  EXPECT_EQ(temporal_layer_for_fps(15), 1);
  EXPECT_EQ(temporal_layer_for_fps(14), 0);
  EXPECT_EQ(temporal_layer_for_fps(8), 0);
  EXPECT_EQ(temporal_layer_for_fps(1), 0);
  EXPECT_EQ(temporal_layer_for_fps(15, 30, 2), 0);
  EXPECT_EQ(temporal_layer_for_fps(15, 30, 1), 0);
  EXPECT_EQ(temporal_layer_for_fps(12, 24, 3), 1);
  EXPECT_EQ(temporal_layer_for_fps(0, 30, 1), 0);
}

TEST(Allocator, AllocatesNothing) {
  const std::vector<AllocationInput> in{audio(), camera(), speaker(1), screen(0), camera(2)};
  std::vector<AllocationOutput> out(in.size());
  std::size_t counted = 0;
  {
    test::CountAllocations scope;
    allocate(1'000'000, in, out);
    allocate(0, in, out);
    counted = scope.count();
  }
  EXPECT_EQ(counted, 0u);
  EXPECT_EQ(out, (Outputs{on(0), on(2), on(2), on(0), on(2)}));
}

}  // namespace
}  // namespace rrtc::room
