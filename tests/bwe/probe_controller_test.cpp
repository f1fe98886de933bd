#include "bwe/probe_controller.hpp"

#include <gtest/gtest.h>

#include "bwe/probe_bitrate.hpp"
#include "test_units.hpp"

namespace rrtc::bwe {
namespace {

using namespace test_units;

TEST(ProbeController, StartsWithThreeAndSixTimesTheStartBitrate) {
  ProbeController p;
  EXPECT_FALSE(p.next_probe(kT0));  // not started
  p.start(kbps(300), kT0);
  EXPECT_EQ(p.next_deadline(), kT0);
  EXPECT_EQ(p.next_probe(kT0), (ProbeCluster{1, kbps(900), 4500, 5}));  // 40 ms at 900 kbit/s
  EXPECT_EQ(p.next_probe(kT0), (ProbeCluster{2, kbps(1800), 9000, 5}));
  EXPECT_FALSE(p.next_probe(kT0));
}

TEST(ProbeController, ProbesFurtherWhileThePathCarriesTheProbe) {
  ProbeController p;
  p.start(kbps(300), kT0);
  p.next_probe(kT0);
  p.next_probe(kT0);
  p.on_result(1, kbps(900), kT0 + ms(100));  // not the last cluster: no further probe
  EXPECT_FALSE(p.next_probe(kT0 + ms(100)));
  p.on_result(2, kbps(1500), kT0 + ms(120));  // 83 % of 1800: carried
  const auto further = p.next_probe(kT0 + ms(120));
  ASSERT_TRUE(further);
  EXPECT_EQ(further->id, 3);
  EXPECT_EQ(further->bitrate, kbps(3000));
  p.on_result(3, kbps(2000), kT0 + ms(250));  // 67 % of 3000: the path is full
  EXPECT_FALSE(p.next_probe(kT0 + ms(250)));
  p.on_result(3, kbps(2900), kT0 + ms(260));  // a result after the first is ignored
  EXPECT_FALSE(p.next_probe(kT0 + ms(260)));
}

TEST(ProbeController, PeriodicallyAtTwiceTheTarget) {
  ProbeController p;
  p.start(kbps(300), kT0);
  p.next_probe(kT0);
  p.next_probe(kT0);
  p.on_target(kbps(1000), kT0 + ms(500));
  EXPECT_EQ(p.next_deadline(), kT0 + ms(2500));
  EXPECT_FALSE(p.next_probe(kT0 + ms(2499)));
  const auto periodic = p.next_probe(kT0 + ms(2500));
  ASSERT_TRUE(periodic);
  EXPECT_EQ(periodic->bitrate, kbps(2000));
  // No result within a second: the next periodic probe comes an interval after this one.
  EXPECT_EQ(p.next_deadline(), kT0 + ms(5000));
  EXPECT_TRUE(p.next_probe(kT0 + ms(5000)));
}

TEST(ProbeController, NoPeriodicProbeAtTheMaximum) {
  ProbeControllerConfig config;
  config.max_bitrate = kbps(1000);
  ProbeController p(config);
  p.start(kbps(300), kT0);
  EXPECT_EQ(p.next_probe(kT0)->bitrate, kbps(900));
  EXPECT_EQ(p.next_probe(kT0)->bitrate, kbps(1000));  // 1800 capped
  p.on_target(kbps(1000), kT0 + ms(100));
  EXPECT_FALSE(p.next_deadline());
  EXPECT_FALSE(p.next_probe(kT0 + ms(10'000)));
}

TEST(ProbeController, ProbesNoFurtherThanTwiceWhatTheStreamsCouldUse) {
  ProbeController p;
  p.set_allocation_limit(kbps(1200));  // a subscriber's tracks could use 1.2 Mbit/s at most
  p.start(kbps(300), kT0);
  EXPECT_EQ(p.next_probe(kT0)->bitrate, kbps(900));
  EXPECT_EQ(p.next_probe(kT0)->bitrate, kbps(1800));
  p.on_result(2, kbps(1800), kT0 + ms(100));  // carried: further, but capped at 2 x 1.2 Mbit/s
  const auto further = p.next_probe(kT0 + ms(100));
  ASSERT_TRUE(further);
  EXPECT_EQ(further->bitrate, kbps(2400));
  p.on_result(3, kbps(2400), kT0 + ms(200));  // at the ceiling: nothing higher
  EXPECT_FALSE(p.next_probe(kT0 + ms(200)));
}

TEST(ProbeController, NoPeriodicProbeOnceTheTargetCoversWhatTheStreamsCouldUse) {
  ProbeController p;
  p.start(kbps(300), kT0);
  p.next_probe(kT0);
  p.next_probe(kT0);
  p.set_allocation_limit(kbps(1000));
  p.on_target(kbps(1499), kT0 + ms(500));  // not yet 1.5 x what the streams could use
  EXPECT_EQ(p.next_deadline(), kT0 + ms(2500));
  p.on_target(kbps(1500), kT0 + ms(600));
  EXPECT_FALSE(p.next_deadline());
  EXPECT_FALSE(p.next_probe(kT0 + ms(10'000)));
  // The tracks could use more (a new subscription, a larger tile): periodic probes again, at
  // twice the target.
  p.set_allocation_limit(kbps(3000));
  EXPECT_EQ(p.next_deadline(), kT0 + ms(2500));
  const auto periodic = p.next_probe(kT0 + ms(10'000));
  ASSERT_TRUE(periodic);
  EXPECT_EQ(periodic->bitrate, kbps(3000));
}

TEST(ProbeController, ALargeDropWhileApplicationLimitedIsCheckedAtOnce) {
  ProbeController p;
  p.start(kbps(300), kT0);
  p.next_probe(kT0);
  p.next_probe(kT0);
  p.on_target(kbps(2000), kT0 + ms(500));
  p.on_target(kbps(1000), kT0 + ms(600));  // not application-limited: a real drop
  EXPECT_FALSE(p.next_probe(kT0 + ms(1200)));
  p.set_application_limited(true);
  p.on_target(kbps(900), kT0 + ms(1300));
  const auto recovery = p.next_probe(kT0 + ms(1300));
  ASSERT_TRUE(recovery);
  EXPECT_EQ(recovery->bitrate, kbps(1700));  // 85 % of 2000
  p.on_target(kbps(800), kT0 + ms(1400));    // once per drop
  EXPECT_FALSE(p.next_probe(kT0 + ms(1400)));
}

TEST(ProbeController, ARecoveryProbeAfterAFarLargerDropIsCappedAtTwiceTheTarget) {
  ProbeController p;
  p.start(kbps(300), kT0);
  p.next_probe(kT0);
  p.next_probe(kT0);
  p.on_target(kbps(20'000), kT0 + ms(500));
  p.set_application_limited(true);
  p.on_target(kbps(400), kT0 + ms(1300));
  const auto recovery = p.next_probe(kT0 + ms(1300));
  ASSERT_TRUE(recovery);
  EXPECT_EQ(recovery->bitrate, kbps(800));  // not 17000: that would flood a 400 kbit/s link
  // It passed: the next one doubles its result, as probing further does.
  p.on_result(recovery->id, kbps(780), kT0 + ms(1500));
  const auto further = p.next_probe(kT0 + ms(1500));
  ASSERT_TRUE(further);
  EXPECT_EQ(further->bitrate, kbps(1560));
}

TEST(ProbeController, Disabled) {
  ProbeControllerConfig config;
  config.enabled = false;
  ProbeController p(config);
  p.start(kbps(300), kT0);
  EXPECT_FALSE(p.next_probe(kT0 + ms(10'000)));
  EXPECT_FALSE(p.next_deadline());
}

// Sends `count` 1000-byte packets of cluster 1 every `send_us`, then one media packet.
void send_cluster(ProbeBitrate& pb, int count, std::int64_t send_us) {
  pb.start_cluster(1, 5);
  for (int i = 0; i < count; ++i) {
    pb.on_packet_sent(SentPacket{i, 1000, kT0 + Duration(send_us * i), 1});
  }
  pb.on_packet_sent(SentPacket{count, 1000, kT0 + Duration(send_us * count), kNoProbeCluster});
}

void receive(ProbeBitrate& pb, int from, int to, std::int64_t spacing_us) {
  for (int i = from; i < to; ++i) {
    pb.on_packet_received(SentPacket{i, 1000, kT0 + Duration(1000 * i), 1},
                          Duration(50'000 + spacing_us * i));
  }
}

TEST(ProbeBitrate, UnsaturatedClusterMeasuresItsSendRate) {
  ProbeBitrate pb;
  send_cluster(pb, 10, 1000);
  receive(pb, 0, 10, 1000);
  const auto r = pb.evaluate(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bitrate.bps(), 8'000'000);  // 9 x 8000 bits in 9 ms
}

TEST(ProbeBitrate, SaturatedClusterGivesNinetyFivePercentOfItsReceiveRate) {
  ProbeBitrate pb;
  send_cluster(pb, 10, 1000);
  receive(pb, 0, 10, 2000);
  EXPECT_EQ(pb.evaluate(1)->bitrate.bps(), 3'800'000);  // 0.95 x 4 Mbit/s
}

TEST(ProbeBitrate, NoResultFromAPartOfACluster) {
  ProbeBitrate pb;
  pb.start_cluster(1, 5);
  for (int i = 0; i < 10; ++i) pb.on_packet_sent(SentPacket{i, 1000, kT0 + ms(i), 1});
  receive(pb, 0, 10, 1000);
  EXPECT_FALSE(pb.evaluate(1));  // still being sent
  ProbeBitrate few;
  send_cluster(few, 10, 1000);
  receive(few, 0, 7, 1000);
  EXPECT_FALSE(few.evaluate(1));  // 7 of 10 received
  receive(few, 7, 8, 1000);
  EXPECT_TRUE(few.evaluate(1));   // 8 of 10
  EXPECT_FALSE(few.evaluate(2));  // unknown cluster
  ProbeBitrate short_cluster;
  send_cluster(short_cluster, 4, 1000);  // fewer than its 5 packets
  receive(short_cluster, 0, 4, 1000);
  EXPECT_FALSE(short_cluster.evaluate(1));
}

TEST(ProbeBitrate, ArrivalsSqueezedBeyondTwiceTheSendRateAreNoMeasurement) {
  ProbeBitrate pb;
  send_cluster(pb, 10, 1000);
  receive(pb, 0, 10, 400);  // 20 Mbit/s received of 8 sent
  EXPECT_FALSE(pb.evaluate(1));
}

}  // namespace
}  // namespace rrtc::bwe
