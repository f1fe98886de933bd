#include "room/nack_tracker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint16_t> due(NackTracker& tracker, std::chrono::microseconds now) {
  std::array<std::uint16_t, 512> out{};
  const std::size_t n = tracker.collect(now, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(NackTracker, GapIsDueAtOnceThenAfterTheRetryInterval) {
  NackTracker tracker;
  tracker.on_packet(100, 0us);
  tracker.on_packet(103, 1000us);
  EXPECT_EQ(due(tracker, 1000us), (std::vector<std::uint16_t>{101, 102}));
  EXPECT_TRUE(due(tracker, 2000us).empty());
  EXPECT_TRUE(tracker.on_packet(101, 3000us));
  EXPECT_FALSE(tracker.on_packet(101, 3000us));
  EXPECT_EQ(due(tracker, 45000us), (std::vector<std::uint16_t>{102}));
}

TEST(NackTracker, GivesUpAfterMaxTriesOrMaxAge) {
  NackOptions options;
  options.max_tries = 2;
  NackTracker tracker(options);
  tracker.on_packet(1, 0us);
  tracker.on_packet(3, 0us);
  EXPECT_EQ(due(tracker, 0us).size(), 1u);
  EXPECT_EQ(due(tracker, 50ms).size(), 1u);
  EXPECT_TRUE(due(tracker, 100ms).empty());
  EXPECT_EQ(tracker.missing(), 0u);

  NackTracker aged;
  aged.on_packet(1, 0us);
  aged.on_packet(3, 0us);
  EXPECT_TRUE(due(aged, 2s).empty());
}

TEST(NackTracker, KeepsOnlyTheNewestMissingAndIgnoresResets) {
  NackOptions options;
  options.max_missing = 8;
  NackTracker tracker(options);
  tracker.on_packet(0, 0us);
  tracker.on_packet(100, 0us);  // 99 missing: the newest 8 are kept
  EXPECT_EQ(due(tracker, 0us), (std::vector<std::uint16_t>{92, 93, 94, 95, 96, 97, 98, 99}));
  tracker.on_packet(100000, 0us);  // a jump past max_gap: a new stream, not loss
  EXPECT_EQ(tracker.missing(), 0u);
}

TEST(NackTracker, WrapsAcrossTheSixteenBitBoundary) {
  NackTracker tracker;
  tracker.on_packet(65534, 0us);
  tracker.on_packet(65537, 0us);  // extended numbers: 65535 and 65536 (wire 0) missing
  EXPECT_EQ(due(tracker, 0us), (std::vector<std::uint16_t>{65535, 0}));
}

}  // namespace
}  // namespace rrtc::room
