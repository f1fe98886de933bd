// The pieces the Router polices with, on their own: the time-refilled RateBucket, the
// ShareBucket refilled by what is forwarded, and the REMB outlier rule (aggregate_remb).
#include <gtest/gtest.h>

#include <vector>

#include "room/remb_aggregate.hpp"
#include "room/token_bucket.hpp"

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

TEST(RateBucket, StartsFullRefillsWithTimeAndHoldsOneSecond) {
  RateBucket bucket(1000);
  const time::Timestamp t0(50s);
  EXPECT_TRUE(bucket.holds(1000, t0));
  EXPECT_FALSE(bucket.holds(1001, t0));
  bucket.take(1000);
  EXPECT_FALSE(bucket.holds(1, t0));
  EXPECT_FALSE(bucket.holds(1, t0 + 999us));  // 0.999 of a unit
  EXPECT_TRUE(bucket.holds(1, t0 + 1ms));
  EXPECT_EQ(bucket.tokens(), 1u);
  // An hour of silence refills one second's worth, no more.
  EXPECT_TRUE(bucket.holds(1000, t0 + 1h));
  EXPECT_FALSE(bucket.holds(1001, t0 + 1h));
  // Time going backwards adds nothing.
  bucket.take(1000);
  EXPECT_FALSE(bucket.holds(1, t0));
}

TEST(RateBucket, ZeroRateAdmitsEverything) {
  RateBucket bucket(0);
  EXPECT_TRUE(bucket.holds(~0ull >> 24, time::Timestamp(1s)));
}

TEST(RateBucket, HighRatesDoNotOverflow) {
  RateBucket bucket(10'000'000'000ull);  // the largest bitrate the config takes
  const time::Timestamp t0(1s);
  EXPECT_TRUE(bucket.holds(10'000'000'000ull, t0));
  bucket.take(10'000'000'000ull);
  EXPECT_TRUE(bucket.holds(10'000'000'000ull, t0 + 24h));
}

TEST(ShareBucket, EarnsAShareUpToTheBurst) {
  ShareBucket bucket(50, 100);
  EXPECT_FALSE(bucket.spend(1));  // nothing earned yet
  bucket.earn(101);               // 50.5
  EXPECT_TRUE(bucket.spend(50));
  EXPECT_FALSE(bucket.spend(1));  // 0.5 left
  bucket.earn(1);                 // 1.0
  EXPECT_TRUE(bucket.spend(1));
  bucket.earn(1'000'000);
  EXPECT_EQ(bucket.tokens(), 100u);
  EXPECT_FALSE(bucket.spend(101));
  EXPECT_TRUE(bucket.spend(100));
  ShareBucket unlimited(0, 0);
  EXPECT_TRUE(unlimited.spend(1'000'000));
}

struct RembCase {
  std::vector<std::uint64_t> estimates;
  unsigned ratio;
  std::uint64_t bitrate;
  std::size_t outliers;
};

TEST(RembAggregate, TheLowestOfThoseWithinTheRatioOfTheMedian) {
  const RembCase cases[] = {
      {{2'000'000, 50'000, 2'000'000, 2'000'000}, 4, 2'000'000, 1},
      {{50'000, 50'000, 50'000, 50'000}, 4, 50'000, 0},
      {{50'000, 2'000'000}, 4, 2'000'000, 1},  // two: the upper median decides
      {{500'000, 2'000'000}, 4, 500'000, 0},   // exactly a quarter: kept
      {{700'000}, 4, 700'000, 0},
      {{1'000'000, 100'000, 90'000, 1'200'000, 1'100'000}, 4, 1'000'000, 2},
      {{3, 1, 2}, 4, 1, 0},                            // median 2, floor 0
      {{2'000'000, 50'000, 2'000'000}, 0, 50'000, 0},  // no outlier rule: the minimum
  };
  for (const auto& c : cases) {
    auto estimates = c.estimates;
    const auto result = aggregate_remb(estimates, c.ratio);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->bitrate, c.bitrate) << ::testing::PrintToString(c.estimates);
    EXPECT_EQ(result->outliers, c.outliers) << ::testing::PrintToString(c.estimates);
  }
  std::vector<std::uint64_t> none;
  EXPECT_EQ(aggregate_remb(none, 4), std::nullopt);
}

}  // namespace
}  // namespace rrtc::room
