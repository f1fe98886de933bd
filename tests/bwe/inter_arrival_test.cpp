#include "bwe/inter_arrival.hpp"

#include <gtest/gtest.h>

namespace rrtc::bwe {
namespace {

using time::Duration;
const time::Timestamp kT0{Duration(1'000'000)};
constexpr Duration ms(std::int64_t v) { return Duration(v * 1000); }

TEST(InterArrival, OneDeltaPerClosedPairOfGroups) {
  InterArrival ia;
  // Packets 20 ms apart, each its own group; arrivals 20, 23, 19 ms apart.
  EXPECT_FALSE(ia.add(kT0, ms(100), 1000));
  EXPECT_FALSE(ia.add(kT0 + ms(20), ms(120), 1100));  // closes group 1: no previous yet
  const auto d = ia.add(kT0 + ms(40), ms(143), 900);  // closes group 2
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, ms(20));
  EXPECT_EQ(d->arrival_delta, ms(20));
  EXPECT_EQ(d->size_delta, 100);
  EXPECT_EQ(d->arrival, ms(120));
  const auto e = ia.add(kT0 + ms(60), ms(162), 1000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->arrival_delta, ms(23));
  EXPECT_EQ(e->size_delta, -200);
}

TEST(InterArrival, PacketsWithinFiveMillisecondsOfSendFormOneGroup) {
  InterArrival ia;
  ia.add(kT0, ms(100), 500);
  ia.add(kT0 + ms(2), ms(103), 500);
  ia.add(kT0 + ms(5), ms(108), 500);   // still within 5 ms of the group's first send
  ia.add(kT0 + ms(20), ms(125), 700);  // a new group
  const auto d = ia.add(kT0 + ms(40), ms(146), 100);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, ms(15));     // last sends: 20 - 5
  EXPECT_EQ(d->arrival_delta, ms(17));  // last arrivals: 125 - 108
  EXPECT_EQ(d->size_delta, 700 - 1500);
}

TEST(InterArrival, ABurstReleasedByTheNetworkJoinsTheGroup) {
  InterArrival ia;
  ia.add(kT0, ms(100), 1000);
  // Sent 10 and 20 ms later but arriving 1 ms apart: they caught up in a queue.
  ia.add(kT0 + ms(10), ms(101), 1000);
  ia.add(kT0 + ms(20), ms(102), 1000);
  ia.add(kT0 + ms(40), ms(140), 1000);
  const auto d = ia.add(kT0 + ms(60), ms(160), 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, ms(20));  // 40 - 20: the burst's last send
  EXPECT_EQ(d->arrival_delta, ms(38));
  EXPECT_EQ(d->size_delta, 1000 - 3000);
}

TEST(InterArrival, LateAndReorderedPacketsGiveNoDelta) {
  InterArrival ia;
  ia.add(kT0 + ms(40), ms(140), 1000);
  EXPECT_FALSE(ia.add(kT0, ms(100), 1000));  // sent before the current group: ignored
  EXPECT_FALSE(ia.add(kT0 + ms(60), ms(160), 1000));
  EXPECT_TRUE(ia.add(kT0 + ms(80), ms(150), 1000));  // closes 60 against 40
  // Closing 80 against 60: it arrived first (reordered groups), so the grouping starts over.
  EXPECT_FALSE(ia.add(kT0 + ms(100), ms(170), 1000));
  EXPECT_FALSE(ia.add(kT0 + ms(120), ms(190), 1000));
  const auto d = ia.add(kT0 + ms(140), ms(210), 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, ms(20));
  EXPECT_EQ(d->arrival_delta, ms(20));
}

}  // namespace
}  // namespace rrtc::bwe
