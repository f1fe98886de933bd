#include "bwe/loss_based.hpp"

#include <gtest/gtest.h>

#include "test_units.hpp"

namespace rrtc::bwe {
namespace {

using namespace test_units;

TEST(LossBased, AboveTenPercentLowersTheTargetByHalfTheLoss) {
  LossBased loss;
  // 40 packets: too few for an interval.
  for (int i = 0; i < 4; ++i) loss.on_report(2, 8, kbps(1000), kbps(1000), kT0 + ms(50 * i));
  EXPECT_FALSE(loss.bound());
  loss.on_report(2, 8, kbps(1000), kbps(1000), kT0 + ms(200));  // 50 packets, 20 % lost
  EXPECT_DOUBLE_EQ(loss.last_loss(), 0.2);
  ASSERT_TRUE(loss.bound());
  EXPECT_EQ(loss.bound()->bps(), 900'000);  // 1000 x (1 - 0.2 / 2)
}

TEST(LossBased, DecreasesAtMostOncePerRttPlus300Ms) {
  LossBased loss;
  loss.set_rtt(ms(100));
  loss.on_report(25, 25, kbps(1000), kbps(1000), kT0);  // 50 % lost: 750
  EXPECT_EQ(loss.bound()->bps(), 750'000);
  loss.on_report(25, 25, kbps(750), kbps(1000), kT0 + ms(300));
  EXPECT_EQ(loss.bound()->bps(), 750'000);  // 300 ms < rtt + 300 ms
  loss.on_report(25, 25, kbps(750), kbps(1000), kT0 + ms(400));
  EXPECT_EQ(loss.bound()->bps(), 562'500);
}

TEST(LossBased, HoldsBetweenTwoAndTenPercentGrowsBelowAndIsLiftedAtTheDelayEstimate) {
  LossBased loss;
  loss.on_report(10, 40, kbps(1000), kbps(1000), kT0);           // 20 %: 900
  loss.on_report(3, 47, kbps(900), kbps(1000), kT0 + ms(1000));  // 6 %: hold
  EXPECT_EQ(loss.bound()->bps(), 900'000);
  loss.on_report(0, 50, kbps(900), kbps(1000), kT0 + ms(2000));  // 0 %: 8 % a second + 1 kbit/s
  EXPECT_EQ(loss.bound()->bps(), 973'000);
  loss.on_report(0, 50, kbps(973), kbps(1000), kT0 + ms(3000));  // past 1000: lifted
  EXPECT_FALSE(loss.bound());
}

TEST(LossBased, ASlowStreamClosesIntervalsBySecondAndNeverGoesBelowTheMinimum) {
  LossBased loss;
  loss.on_report(10, 9, kbps(40), kbps(40), kT0);
  EXPECT_FALSE(loss.bound());                                // 19 packets
  loss.on_report(1, 0, kbps(40), kbps(40), kT0 + ms(1000));  // 20 packets over a second
  ASSERT_TRUE(loss.bound());
  EXPECT_EQ(loss.bound()->bps(), 30'000);  // 40 x (1 - 0.55 / 2) = 29, clamped to 30
}

TEST(LossBased, AProbeResultRaisesTheBound) {
  LossBased loss;
  loss.on_report(25, 25, kbps(1000), kbps(2000), kT0);  // 50 %: 750
  EXPECT_EQ(loss.bound()->bps(), 750'000);
  // The path carried 900 kbit/s just now, whatever the last interval lost.
  loss.on_probe_result(kbps(900));
  EXPECT_EQ(loss.bound()->bps(), 900'000);
  loss.on_report(0, 50, kbps(900), kbps(2000), kT0 + ms(1000));  // 0 %: grows
  EXPECT_EQ(loss.bound()->bps(), 973'000);  // 900 x 1.08 + 1 kbit/s
  loss.on_probe_result(kbps(700));  // below the bound: no change
  EXPECT_EQ(loss.bound()->bps(), 973'000);
  loss.on_probe_result(kbps(1500));
  EXPECT_EQ(loss.bound()->bps(), 1'500'000);
  loss.on_report(0, 50, kbps(1500), kbps(1500), kT0 + ms(2000));  // past the delay estimate
  EXPECT_FALSE(loss.bound());
}

}  // namespace
}  // namespace rrtc::bwe
