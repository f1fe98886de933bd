#include "rtp/receive_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rrtc::rtp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::uint32_t kVideoClock = 90000;

TEST(ReceiveStats, NothingLostInOrder) {
  ReceiveStats stats(kVideoClock);
  for (std::uint16_t i = 0; i < 100; ++i) {
    stats.on_packet(static_cast<std::uint16_t>(1000 + i), 3000u * i, milliseconds(33) * i);
  }
  EXPECT_EQ(stats.packets_received(), 100u);
  EXPECT_EQ(stats.packets_expected(), 100);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  const auto report = stats.make_report();
  EXPECT_EQ(report.fraction_lost, 0);
  EXPECT_EQ(report.cumulative_lost, 0);
  EXPECT_EQ(report.extended_highest_seq, 1099u);
  // 33 ms is 2970 ticks, the timestamps step 3000: 30 ticks of transit change per packet.
  EXPECT_NEAR(report.jitter, 30, 2);
}

TEST(ReceiveStats, LossAndFractionPerInterval) {
  ReceiveStats stats(kVideoClock);
  for (std::uint16_t seq = 0; seq < 10; ++seq) {
    if (seq == 3 || seq == 4) continue;
    stats.on_packet(seq, 0, microseconds(0));
  }
  auto report = stats.make_report();
  EXPECT_EQ(stats.packets_expected(), 10);
  EXPECT_EQ(report.cumulative_lost, 2);
  EXPECT_EQ(report.fraction_lost, (2 * 256) / 10);

  for (std::uint16_t seq = 10; seq < 20; ++seq) stats.on_packet(seq, 0, microseconds(0));
  report = stats.make_report();
  EXPECT_EQ(report.fraction_lost, 0);  // nothing lost in this interval
  EXPECT_EQ(report.cumulative_lost, 2);

  // A late arrival of 3 lowers the cumulative count; the interval shows no loss.
  stats.on_packet(3, 0, microseconds(0));
  report = stats.make_report();
  EXPECT_EQ(report.cumulative_lost, 1);
  EXPECT_EQ(report.fraction_lost, 0);
}

TEST(ReceiveStats, EverythingLostSaturatesFraction) {
  ReceiveStats stats(kVideoClock);
  stats.on_packet(0, 0, microseconds(0));
  stats.make_report();
  stats.on_packet(100, 0, microseconds(0));  // 99 lost, 1 received in this interval
  const auto report = stats.make_report();
  EXPECT_EQ(report.fraction_lost, (99 * 256) / 100);
  EXPECT_EQ(report.cumulative_lost, 99);
}

TEST(ReceiveStats, SequenceWrapExtendsHighest) {
  ReceiveStats stats(48000);
  std::uint16_t seq = 65530;
  for (int i = 0; i < 12; ++i) stats.on_packet(seq++, 960u * i, milliseconds(20) * i);
  EXPECT_EQ(*stats.extended_highest_seq(), 65536 + 5);
  EXPECT_EQ(stats.make_report().extended_highest_seq, 65541u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceiveStats, DuplicatesMakeLossNegative) {
  ReceiveStats stats(kVideoClock);
  stats.on_packet(1, 0, microseconds(0));
  stats.on_packet(2, 0, microseconds(0));
  stats.on_packet(2, 0, microseconds(0));
  EXPECT_EQ(stats.cumulative_lost(), -1);
  EXPECT_EQ(stats.make_report().cumulative_lost, -1);
}

TEST(ReceiveStats, JitterFollowsRfc3550A8) {
  // Packets every 20 ms; arrival alternately 0 and 1 ms late: |D| = 90 ticks every packet.
  ReceiveStats stats(kVideoClock);
  double reference = 0;
  for (int i = 0; i < 300; ++i) {
    const auto arrival = milliseconds(20) * i + (i % 2 ? milliseconds(1) : milliseconds(0));
    stats.on_packet(static_cast<std::uint16_t>(i), 1800u * static_cast<std::uint32_t>(i), arrival);
    if (i > 0) reference += (90.0 - reference) / 16.0;
  }
  EXPECT_NEAR(stats.jitter(), reference, 1.0);
  EXPECT_NEAR(stats.jitter(), 90, 1);
}

TEST(ReceiveStats, TimestampWrapDoesNotInflateJitter) {
  ReceiveStats stats(kVideoClock);
  std::uint32_t ts = 0xFFFFFFFFu - 5 * 3000;
  for (int i = 0; i < 10; ++i) {
    stats.on_packet(static_cast<std::uint16_t>(i), ts, microseconds(100000 + i * 1000000 / 30));
    ts += 3000;  // wraps after 5 packets
  }
  EXPECT_LE(stats.jitter(), 1u);
}

}  // namespace
}  // namespace rrtc::rtp
