#include "room/nack_tracker.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

// Media time on a simulated clock: t(x) is x after an arbitrary origin.
time::Timestamp t(time::Duration since_origin) { return time::Timestamp(100s) + since_origin; }

std::vector<std::uint16_t> due(NackTracker& tracker, time::Timestamp now) {
  std::array<std::uint16_t, 512> out{};
  const std::size_t n = tracker.collect(now, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(NackTracker, GapIsDueAtOnceThenAfterTheRetryInterval) {
  NackTracker tracker;
  EXPECT_FALSE(tracker.next_due());
  tracker.on_packet(100, t(0us));
  EXPECT_FALSE(tracker.next_due());
  tracker.on_packet(103, t(1000us));
  EXPECT_EQ(tracker.next_due(), t(1000us));
  EXPECT_EQ(due(tracker, t(1000us)), (std::vector<std::uint16_t>{101, 102}));
  EXPECT_EQ(tracker.next_due(), t(41000us));
  EXPECT_TRUE(due(tracker, t(2000us)).empty());
  EXPECT_TRUE(tracker.on_packet(101, t(3000us)));
  EXPECT_FALSE(tracker.on_packet(101, t(3000us)));
  EXPECT_EQ(due(tracker, t(45000us)), (std::vector<std::uint16_t>{102}));
  EXPECT_EQ(tracker.next_due(), t(85000us));
  EXPECT_TRUE(tracker.on_packet(102, t(50000us)));
  EXPECT_FALSE(tracker.next_due());  // nothing missing: nothing due
}

TEST(NackTracker, GivesUpAfterMaxTriesOrMaxAge) {
  NackOptions options;
  options.max_tries = 2;
  NackTracker tracker(options);
  tracker.on_packet(1, t(0us));
  tracker.on_packet(3, t(0us));
  EXPECT_EQ(due(tracker, t(0us)).size(), 1u);
  EXPECT_EQ(tracker.next_due(), t(40ms));
  EXPECT_EQ(due(tracker, t(50ms)).size(), 1u);
  // The second try was the last: the number leaves the list and nothing is due any more.
  EXPECT_EQ(tracker.missing(), 0u);
  EXPECT_FALSE(tracker.next_due());
  EXPECT_TRUE(due(tracker, t(100ms)).empty());

  NackTracker aged;
  aged.on_packet(1, t(0us));
  aged.on_packet(3, t(0us));
  EXPECT_TRUE(due(aged, t(2s)).empty());
  EXPECT_FALSE(aged.next_due());
}

TEST(NackTracker, NoDeadlineForARetryThatWouldComeTooLate) {
  NackOptions options;
  options.max_age = 100ms;
  options.retry_interval = 60ms;
  NackTracker tracker(options);
  tracker.on_packet(1, t(0ms));
  tracker.on_packet(3, t(0ms));
  EXPECT_EQ(due(tracker, t(0ms)), (std::vector<std::uint16_t>{2}));
  EXPECT_EQ(tracker.next_due(), t(60ms));
  EXPECT_EQ(due(tracker, t(60ms)), (std::vector<std::uint16_t>{2}));
  // A third request at 120 ms would ask for a packet 120 ms old, past max_age.
  EXPECT_FALSE(tracker.next_due());
}

TEST(NackTracker, KeepsOnlyTheNewestMissingAndIgnoresResets) {
  NackOptions options;
  options.max_missing = 8;
  NackTracker tracker(options);
  tracker.on_packet(0, t(0us));
  tracker.on_packet(100, t(0us));  // 99 missing: the newest 8 are kept
  EXPECT_EQ(due(tracker, t(0us)), (std::vector<std::uint16_t>{92, 93, 94, 95, 96, 97, 98, 99}));
  tracker.on_packet(100000, t(0us));  // a jump past max_gap: a new stream, not loss
  EXPECT_EQ(tracker.missing(), 0u);
  EXPECT_FALSE(tracker.next_due());
}

TEST(NackTracker, WrapsAcrossTheSixteenBitBoundary) {
  NackTracker tracker;
  tracker.on_packet(65534, t(0us));
  tracker.on_packet(65537, t(0us));  // extended numbers: 65535 and 65536 (wire 0) missing
  EXPECT_EQ(due(tracker, t(0us)), (std::vector<std::uint16_t>{65535, 0}));
}

TEST(NackTracker, MoreThanFitInOneCallStayDueUntilCollected) {
  NackTracker tracker;
  tracker.on_packet(0, t(0ms));
  tracker.on_packet(6, t(0ms));
  std::array<std::uint16_t, 3> out{};
  EXPECT_EQ(tracker.collect(t(0ms), out), 3u);
  EXPECT_EQ(out, (std::array<std::uint16_t, 3>{1, 2, 3}));
  EXPECT_EQ(tracker.next_due(), t(0ms));  // 4 and 5 were not handed out yet
  EXPECT_EQ(tracker.collect(t(0ms), out), 2u);
  EXPECT_EQ(tracker.collect(t(0ms), out), 0u);
  EXPECT_EQ(tracker.next_due(), t(40ms));
}

}  // namespace
}  // namespace rrtc::room
