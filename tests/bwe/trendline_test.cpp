#include "bwe/trendline.hpp"

#include <gtest/gtest.h>

namespace rrtc::bwe {
namespace {

using time::Duration;

// Feeds `n` group deltas 10 ms apart whose arrival gap exceeds the send gap by `extra_us`.
void feed(Trendline& t, int n, std::int64_t extra_us, std::int64_t& arrival_us) {
  for (int i = 0; i < n; ++i) {
    arrival_us += 10'000 + extra_us;
    t.update(GroupDelta{Duration(10'000), Duration(10'000 + extra_us), 0, Duration(arrival_us)});
  }
}

TEST(Trendline, NoSlopeUntilTheWindowIsFullThenNoneForConstantDelay) {
  Trendline t;
  std::int64_t arrival = 0;
  feed(t, 19, 1000, arrival);
  EXPECT_EQ(t.slope(), 0.0);  // 19 points: the window of 20 is not full
  Trendline flat;
  arrival = 0;
  feed(flat, 100, 0, arrival);
  EXPECT_EQ(flat.slope(), 0.0);
  EXPECT_EQ(flat.modified_trend(), 0.0);
}

TEST(Trendline, SlopeOfAGrowingQueue) {
  Trendline t;
  std::int64_t arrival = 0;
  // 1 ms more delay every 11 ms of arrival time: the smoothed delay's slope tends to 1/11.
  feed(t, 300, 1000, arrival);
  EXPECT_NEAR(t.slope(), 1.0 / 11.0, 1e-6);
  EXPECT_EQ(t.num_deltas(), 300);
  // The count multiplying the slope is capped at 60; the gain is 4.
  EXPECT_NEAR(t.modified_trend(), 60 * 4.0 / 11.0, 1e-4);
}

TEST(Trendline, NegativeSlopeWhileTheQueueDrains) {
  Trendline t;
  std::int64_t arrival = 0;
  feed(t, 50, 1000, arrival);
  feed(t, 300, -500, arrival);  // 0.5 ms less delay every 9.5 ms
  EXPECT_NEAR(t.slope(), -0.5 / 9.5, 1e-6);
  EXPECT_LT(t.modified_trend(), 0);
}

TEST(Trendline, FewDeltasWeighLess) {
  Trendline t;
  std::int64_t arrival = 0;
  feed(t, 20, 1000, arrival);
  // 20 deltas: the trend is slope x 20 x 4, not x 60.
  EXPECT_NEAR(t.modified_trend(), t.slope() * 20 * 4, 1e-9);
  EXPECT_GT(t.slope(), 0);
}

}  // namespace
}  // namespace rrtc::bwe
