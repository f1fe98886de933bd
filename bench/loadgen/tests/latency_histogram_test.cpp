#include "latency_histogram.hpp"

#include <gtest/gtest.h>

namespace rrtc::loadgen {
namespace {

TEST(LatencyHistogram, ExactBelow1024) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(0.5), 50u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, BucketsAboveAreWithinTwoPercent) {
  for (std::uint64_t v : {1024ull, 1500ull, 4999ull, 65536ull, 1'000'000ull, 123'456'789ull}) {
    const auto index = LatencyHistogram::index_of(v);
    const auto upper = LatencyHistogram::upper_bound(index);
    EXPECT_GE(upper, v) << v;
    EXPECT_LE(static_cast<double>(upper - v), 0.016 * static_cast<double>(v)) << v;
    if (index > 0) {
      EXPECT_LT(LatencyHistogram::upper_bound(index - 1), v) << v;
    }
  }
}

TEST(LatencyHistogram, PercentileOfATailAndMerge) {
  LatencyHistogram a, b;
  for (int i = 0; i < 990; ++i) a.record(100);
  for (int i = 0; i < 10; ++i) b.record(5000);
  a.merge(b);
  EXPECT_EQ(a.count(), 1000u);
  EXPECT_EQ(a.percentile(0.99), 100u);
  EXPECT_GE(a.percentile(0.999), 5000u);
  EXPECT_EQ(a.percentile(0.999), a.max());  // capped by the largest sample
  EXPECT_EQ(LatencyHistogram{}.percentile(0.5), 0u);
}

}  // namespace
}  // namespace rrtc::loadgen
