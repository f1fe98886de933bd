#include "bwe/acknowledged_bitrate.hpp"

#include <gtest/gtest.h>

namespace rrtc::bwe {
namespace {

using time::Duration;

// Acks 1000-byte packets every `spacing_us` from `from_us` to `to_us` (arrival times).
void ack(AcknowledgedBitrate& a, std::int64_t from_us, std::int64_t to_us,
         std::int64_t spacing_us) {
  for (std::int64_t t = from_us; t < to_us; t += spacing_us) a.on_packet_acked(Duration(t), 1000);
}

TEST(AcknowledgedBitrate, NothingBeforeTheFirstWindowCloses) {
  AcknowledgedBitrate a;
  ack(a, 0, 500'000, 8000);
  EXPECT_FALSE(a.bitrate());
  a.on_packet_acked(Duration(504'000), 1000);  // closes the first 500 ms window
  ASSERT_TRUE(a.bitrate());
  EXPECT_EQ(a.bitrate()->bps(), 1'000'000);  // 63 packets of 8000 bits in 504 ms
}

TEST(AcknowledgedBitrate, SteadyRateThenAStepDown) {
  AcknowledgedBitrate a;
  ack(a, 0, 2'000'000, 8000);  // 1 Mbit/s
  EXPECT_EQ(a.bitrate()->bps(), 1'000'000);
  EXPECT_EQ(a.last_sample()->bps(), 1'000'000);
  ack(a, 2'000'000, 2'400'000, 16'000);  // 500 kbit/s
  // The last window already shows the new rate; the average trails it.
  EXPECT_NEAR(static_cast<double>(a.last_sample()->bps()), 500'000, 30'000);
  EXPECT_GT(a.bitrate()->bps(), 600'000);
  ack(a, 2'400'000, 6'000'000, 16'000);
  EXPECT_NEAR(static_cast<double>(a.bitrate()->bps()), 500'000, 25'000);
}

TEST(AcknowledgedBitrate, ASilenceCountsAtMostTwoWindows) {
  AcknowledgedBitrate a;
  ack(a, 0, 1'000'000, 8000);
  // Nothing for 5 s, then one packet: the window is taken as 300 ms long, not 5 s.
  a.on_packet_acked(Duration(6'000'000), 1000);
  ASSERT_TRUE(a.last_sample());
  EXPECT_GT(a.last_sample()->bps(), 0);
  EXPECT_LE(a.last_sample()->bps(), 1'000'000);
  // Arrivals going back in time count at the last arrival.
  a.on_packet_acked(Duration(5'000'000), 1000);
  a.on_packet_acked(Duration(6'200'000), 1000);
  EXPECT_EQ(a.last_sample()->bps(), DataRate::of(2000, Duration(200'000)).bps());
}

}  // namespace
}  // namespace rrtc::bwe
