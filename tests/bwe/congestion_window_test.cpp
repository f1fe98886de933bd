#include "bwe/congestion_window.hpp"

#include <gtest/gtest.h>

#include "bwe/sent_packet_history.hpp"
#include "test_units.hpp"

namespace rrtc::bwe {
namespace {

using namespace test_units;

CongestionWindow enabled() {
  CongestionWindowConfig c;
  c.enabled = true;
  return CongestionWindow(c);
}

TEST(CongestionWindow, PushesBackWhileMoreThanAWindowIsInFlight) {
  CongestionWindow w = enabled();
  w.on_feedback(std::nullopt, 100'000, kbps(1000), kT0);
  EXPECT_EQ(w.ratio(), 1.0);  // no round trip measured yet
  w.on_feedback(ms(80), 20'000, kbps(1000), kT0);
  EXPECT_EQ(w.window_bytes(), 35'000);  // 1 Mbit/s x (80 + 200) ms
  EXPECT_EQ(w.ratio(), 1.0);
  w.on_feedback(std::nullopt, 60'000, kbps(1000), kT0 + ms(50));  // 1.7 windows
  EXPECT_DOUBLE_EQ(w.ratio(), 0.9);
  w.on_feedback(std::nullopt, 40'000, kbps(1000), kT0 + ms(100));  // 1.14 windows
  EXPECT_DOUBLE_EQ(w.ratio(), 0.9 * 0.95);
  for (int i = 0; i < 20; ++i) w.on_feedback(std::nullopt, 60'000, kbps(1000), kT0 + ms(200));
  EXPECT_EQ(w.ratio(), 0.6);  // the floor
  w.on_feedback(std::nullopt, 10'000, kbps(1000), kT0 + ms(300));
  EXPECT_DOUBLE_EQ(w.ratio(), 0.6 * 1.05);
  for (int i = 0; i < 20; ++i) w.on_feedback(std::nullopt, 10'000, kbps(1000), kT0 + ms(400));
  EXPECT_EQ(w.ratio(), 1.0);
}

TEST(CongestionWindow, BaseRttIsTheLeastOfTheLastTwoBuckets) {
  CongestionWindow w = enabled();
  w.on_feedback(ms(100), 0, kbps(100), kT0);
  w.on_feedback(ms(80), 0, kbps(100), kT0 + ms(5000));
  EXPECT_EQ(w.base_rtt(), ms(80));
  EXPECT_EQ(w.window_bytes(), 6000);  // 100 kbit/s x 280 ms = 3500: the minimum window
  w.on_feedback(ms(120), 0, kbps(100), kT0 + ms(10'000));  // a new bucket
  EXPECT_EQ(w.base_rtt(), ms(80));
  w.on_feedback(ms(130), 0, kbps(100), kT0 + ms(20'000));  // the 80 ms bucket is gone
  EXPECT_EQ(w.base_rtt(), ms(120));
}

TEST(CongestionWindow, OffByDefault) {
  CongestionWindow w;
  w.on_feedback(ms(80), 1'000'000, kbps(1000), kT0);
  EXPECT_EQ(w.ratio(), 1.0);
  EXPECT_FALSE(w.base_rtt());
}

TEST(SentPacketHistory, InFlightIsWhatWasSentAfterTheHighestReportedNumber) {
  SentPacketHistory h(64);
  for (std::int64_t s = 0; s < 5; ++s) h.add(SentPacket{s, 100 * (s + 1), kT0, kNoProbeCluster});
  EXPECT_EQ(h.in_flight_bytes(), 1500);
  h.report(1, false, nullptr);  // lost counts as reported
  EXPECT_EQ(h.in_flight_bytes(), 1200);
  h.report(0, true, nullptr);  // older: no change
  EXPECT_EQ(h.in_flight_bytes(), 1200);
  h.report(4, true, nullptr);
  EXPECT_EQ(h.in_flight_bytes(), 0);
  h.report(99, true, nullptr);  // unknown: no change
  h.add(SentPacket{5, 600, kT0, kNoProbeCluster});
  EXPECT_EQ(h.in_flight_bytes(), 600);
}

}  // namespace
}  // namespace rrtc::bwe
