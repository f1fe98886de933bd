// An application-limited subscriber: its video paused for bandwidth, it is sent little more than
// its audio (60 kbit/s) on a 400 kbit/s path while probe clusters look for room for the video.
//   - Alone, the audio never reads as over-use: the estimate stays at the capacity.
//   - With a key frame forwarded at once every 2 s (12 KB: 240 ms of the path), the burst's queue
//     reads as over-use for half a second or more, and each decrease takes 0.85 x the last
//     window's acknowledged rate, the audio's: the estimate collapses to ~50 kbit/s (what a
//     browser subscriber limited to 400 kbit/s showed: its video paused for 1-2 s). What this
//     test holds is the recovery: every probe result re-arms the recovery probe of a large
//     drop (probe_controller.hpp), so the estimate spends less than a quarter of the run
//     under 70 % of the capacity (without it, 31-44 %). The collapse itself is not fixed; the
//     over-use lingers because the trendline smooths the burst's delay over ~20 deltas, and
//     the audio gives few (issue 17's note lists what was tried).

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "estimator_sim.hpp"

namespace rrtc::bwe::test {
namespace {

const DataRate kCapacity = DataRate::kilobits_per_second(400);

SimConfig paused_video_config(std::uint64_t seed) {
  SimConfig config;
  config.link.propagation = time::Duration(20'000);
  config.link.jitter = time::Duration(1'000);
  config.link.queue_bytes = 15'000;  // 300 ms at 400 kbit/s, as the browser test's htb class
  config.link.seed = seed;
  config.initial_capacity = kCapacity;
  config.packet_size = 200;
  config.media_rate = DataRate::kilobits_per_second(60);
  return config;
}

// After the first 2 s of 30, the target spends at most `max_below` under 70 % of the capacity.
void expect_mostly_near_capacity(const SimConfig& base, time::Duration max_below) {
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE(seed);
    SimConfig config = base;
    config.link.seed = seed;
    EstimatorSim sim(config);
    sim.run(time::Duration(30'000'000), [](time::Duration) { return kCapacity; });
    double min_kbps = 1e9;
    time::Duration longest{0};
    time::Duration below{0};
    std::optional<time::Duration> since;
    for (const SimSample& s : sim.samples()) {
      if (std::getenv("RRTC_BWE_TRACE") != nullptr) {
        std::printf("%6.1f target %5.0f acked %5.0f usage %d queue %4.0f ms\n",
                    to_ms(s.at) / 1000.0, s.target.kbps(),
                    s.stats.acknowledged ? s.stats.acknowledged->kbps() : -1.0,
                    static_cast<int>(s.stats.usage), to_ms(s.queue_delay));
      }
      if (s.at < time::Duration(2'000'000)) continue;
      min_kbps = std::min(min_kbps, s.target.kbps());
      if (s.target.kbps() < 0.7 * kCapacity.kbps()) {
        if (!since) since = s.at;
        longest = std::max(longest, s.at - *since + config.sample_every);
        below += config.sample_every;
      } else {
        since.reset();
      }
    }
    std::printf("seed %llu: %lld probe clusters, target at least %.0f kbit/s, under 70 %% for "
                "%.1f s of 28 s, %.1f s at most at once\n",
                static_cast<unsigned long long>(seed), static_cast<long long>(sim.probe_clusters()),
                min_kbps, to_ms(below) / 1000.0, to_ms(longest) / 1000.0);
    EXPECT_LE(below, max_below);
  }
}

TEST(AppLimited, AudioAloneKeepsTheEstimateAtTheCapacity) {
  expect_mostly_near_capacity(paused_video_config(1), time::Duration(0));
}

TEST(AppLimited, AfterAKeyFrameBurstCollapsesTheEstimateRecoveryProbesFollow) {
  SimConfig config = paused_video_config(1);
  config.key_frame_bytes = 12'000;
  expect_mostly_near_capacity(config, time::Duration(7'000'000));
}

}  // namespace
}  // namespace rrtc::bwe::test
