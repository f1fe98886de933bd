#include "bwe/aimd_rate_control.hpp"

#include <gtest/gtest.h>

#include "test_units.hpp"

namespace rrtc::bwe {
namespace {

using namespace test_units;

AimdRateControl make(std::int64_t start_kbps) {
  AimdConfig c;
  c.start_bitrate = kbps(start_kbps);
  return AimdRateControl(c);
}

TEST(AimdRateControl, MultiplicativeIncreaseFarFromCongestion) {
  AimdRateControl aimd = make(1000);
  const Throughput plenty{kbps(1000), kbps(1000)};
  aimd.update(BandwidthUsage::kNormal, plenty, kT0);  // hold -> increase
  EXPECT_EQ(aimd.estimate(), kbps(1000));
  aimd.update(BandwidthUsage::kNormal, plenty, kT0 + ms(1000));
  EXPECT_EQ(aimd.estimate().bps(), 1'080'000);  // 8 % a second
  EXPECT_FALSE(aimd.near_capacity());
}

TEST(AimdRateControl, OveruseDecreasesToBetaTimesTheRecentThroughputOncePerRoundTrip) {
  AimdRateControl aimd = make(1000);
  aimd.set_rtt(ms(100));
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(900), kbps(800)}, kT0);
  EXPECT_EQ(aimd.estimate().bps(), 680'000);  // 0.85 x 800
  EXPECT_TRUE(aimd.near_capacity());
  EXPECT_EQ(aimd.link_capacity(), kbps(800));
  // Within one round trip the queue seen is still ours: no second decrease.
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(700), kbps(700)}, kT0 + ms(50));
  EXPECT_EQ(aimd.estimate().bps(), 680'000);
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(700), kbps(700)}, kT0 + ms(100));
  EXPECT_EQ(aimd.estimate().bps(), 595'000);  // 0.85 x 700
  EXPECT_EQ(aimd.last_decrease(), kT0 + ms(100));
}

TEST(AimdRateControl, AdditiveIncreaseNearTheLastCongestion) {
  AimdRateControl aimd = make(1000);
  aimd.set_rtt(ms(100));
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(1000), kbps(1000)}, kT0);
  ASSERT_EQ(aimd.estimate().bps(), 850'000);
  // At 850 kbit/s: 28333 bits a frame at 30 fps, in 3 packets of 9444 bits, per response time
  // (rtt + 100 ms = 0.2 s): 47222 bit/s per second.
  EXPECT_NEAR(aimd.additive_increase_bps_per_second(), 850'000.0 / 30 / 3 / 0.2, 1e-6);
  const Throughput now{kbps(850), kbps(850)};
  aimd.update(BandwidthUsage::kNormal, now, kT0 + ms(500));   // hold -> increase
  aimd.update(BandwidthUsage::kNormal, now, kT0 + ms(1500));  // one second of increase
  EXPECT_NEAR(static_cast<double>(aimd.estimate().bps()), 850'000 + 47'222, 2);
}

TEST(AimdRateControl, UnderuseHoldsAndGrowthIsCappedByThroughput) {
  AimdRateControl aimd = make(1000);
  aimd.update(BandwidthUsage::kUnderusing, Throughput{kbps(100), kbps(100)}, kT0);
  aimd.update(BandwidthUsage::kUnderusing, Throughput{kbps(100), kbps(100)}, kT0 + ms(1000));
  EXPECT_EQ(aimd.estimate(), kbps(1000));
  // 1.5 x 100 + 10 kbit/s is far below the estimate: it does not grow (nor fall).
  aimd.update(BandwidthUsage::kNormal, Throughput{kbps(100), kbps(100)}, kT0 + ms(2000));
  aimd.update(BandwidthUsage::kNormal, Throughput{kbps(100), kbps(100)}, kT0 + ms(3000));
  EXPECT_EQ(aimd.estimate(), kbps(1000));
  // With 700 acknowledged the cap is 1060: growth stops there.
  for (int i = 4; i < 10; ++i) {
    aimd.update(BandwidthUsage::kNormal, Throughput{kbps(700), kbps(700)}, kT0 + ms(1000 * i));
  }
  EXPECT_EQ(aimd.estimate(), kbps(1060));
}

TEST(AimdRateControl, ClampedToMinAndMax) {
  AimdRateControl aimd = make(1000);
  aimd.set_estimate(kbps(50'000), kT0);
  EXPECT_EQ(aimd.estimate(), kbps(20'000));
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(10), kbps(10)}, kT0 + ms(1000));
  EXPECT_EQ(aimd.estimate(), kbps(30));
}

TEST(AimdRateControl, CarryingFarMoreThanTheOldCapacityReturnsToMultiplicative) {
  AimdRateControl aimd = make(500);
  aimd.update(BandwidthUsage::kOverusing, Throughput{kbps(400), kbps(400)}, kT0);
  ASSERT_TRUE(aimd.near_capacity());
  aimd.set_estimate(kbps(2000), kT0 + ms(100));  // a probe found more
  aimd.update(BandwidthUsage::kNormal, Throughput{kbps(1900), kbps(1900)}, kT0 + ms(200));
  aimd.update(BandwidthUsage::kNormal, Throughput{kbps(1900), kbps(1900)}, kT0 + ms(1200));
  EXPECT_FALSE(aimd.near_capacity());
  EXPECT_EQ(aimd.estimate().bps(), 2'160'000);  // 2000 x 1.08
}

}  // namespace
}  // namespace rrtc::bwe
