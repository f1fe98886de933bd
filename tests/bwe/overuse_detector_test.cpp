#include "bwe/overuse_detector.hpp"

#include <gtest/gtest.h>

namespace rrtc::bwe {
namespace {

using time::Duration;
const time::Timestamp kT0{Duration(1'000'000)};
constexpr Duration ms(std::int64_t v) { return Duration(v * 1000); }

TEST(OveruseDetector, OveruseNeedsTenMillisecondsAndTwoRisingSamples) {
  OveruseDetector d;
  EXPECT_EQ(d.detect(20, ms(5), 10, kT0), BandwidthUsage::kNormal);  // 2.5 ms over, 1 sample
  EXPECT_EQ(d.threshold_ms(), 12.5);  // the first sample only starts the clock
  EXPECT_EQ(d.detect(19, ms(10), 10, kT0 + ms(10)), BandwidthUsage::kNormal);  // falling
  EXPECT_EQ(d.detect(21, ms(10), 10, kT0 + ms(20)), BandwidthUsage::kOverusing);
}

TEST(OveruseDetector, UnderuseAtOnceAndNothingWithFewerThanTwoDeltas) {
  OveruseDetector d;
  EXPECT_EQ(d.detect(100, ms(50), 1, kT0), BandwidthUsage::kNormal);
  EXPECT_EQ(d.detect(-13, ms(5), 10, kT0), BandwidthUsage::kUnderusing);
  EXPECT_EQ(d.detect(5, ms(5), 10, kT0 + ms(5)), BandwidthUsage::kNormal);
}

TEST(OveruseDetector, ThresholdFollowsTheTrend) {
  OveruseDetector d;
  d.detect(0, ms(5), 10, kT0);
  // Up with k_up per ms: 12.5 + 0.0087 x (20 - 12.5) x 10.
  d.detect(20, ms(5), 10, kT0 + ms(10));
  EXPECT_NEAR(d.threshold_ms(), 12.5 + 0.0087 * 7.5 * 10, 1e-9);
  // Down with k_down: t + 0.039 x (0 - t) x 10.
  const double t = d.threshold_ms();
  d.detect(0, ms(5), 10, kT0 + ms(20));
  EXPECT_NEAR(d.threshold_ms(), t - 0.039 * t * 10, 1e-9);
  // Never below 6, and a step is at most 100 ms long.
  d.detect(0, ms(5), 10, kT0 + ms(5000));
  EXPECT_EQ(d.threshold_ms(), 6.0);
}

TEST(OveruseDetector, SpikesFarAboveTheThresholdDoNotMoveIt) {
  OveruseDetector d;
  d.detect(0, ms(5), 10, kT0);
  d.detect(12.5 + 15.5, ms(5), 10, kT0 + ms(100));
  EXPECT_EQ(d.threshold_ms(), 12.5);
  d.detect(12.5 + 14, ms(5), 10, kT0 + ms(200));  // within 15 ms: adapts (100 ms step)
  EXPECT_NEAR(d.threshold_ms(), 12.5 + 0.0087 * 14 * 100, 1e-9);
}

TEST(OveruseDetector, ThresholdStaysBelowItsCeiling) {
  OveruseDetectorConfig config;
  config.max_threshold_ms = 20;
  OveruseDetector d(config);
  d.detect(0, ms(5), 10, kT0);
  for (int i = 1; i <= 100; ++i) d.detect(d.threshold_ms() + 14, ms(5), 10, kT0 + ms(100 * i));
  EXPECT_EQ(d.threshold_ms(), 20.0);
}

}  // namespace
}  // namespace rrtc::bwe
