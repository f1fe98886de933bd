// The estimator allocates nothing per packet once built: sends, transport-cc feedback (parsed
// from RTCP bytes), probes and every query run inside an allocation-counting scope.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "bwe/pacer.hpp"
#include "bwe/send_side_estimator.hpp"
#include "bwe/uplink_feedback.hpp"
#include "rtcp/header.hpp"
#include "support/counting_new.hpp"

namespace rrtc::bwe {
namespace {

using time::Duration;

constexpr std::int64_t kBatch = 50;

// Feedback for packets batch*kBatch .. +kBatch-1 sent 2 ms apart, arriving 30 ms later with a
// slowly growing queue, one in 25 lost.
std::vector<std::uint8_t> feedback_bytes(std::int64_t batch) {
  std::vector<rtcp::PacketArrival> arrivals;
  for (std::int64_t s = batch * kBatch; s < (batch + 1) * kBatch; ++s) {
    if (s % 25 != 3) arrivals.push_back({s, Duration(s * 2000 + 30'000 + (s % 400) * 50)});
  }
  const rtcp::TransportCc cc(1, 2, static_cast<std::uint8_t>(batch), arrivals);
  std::vector<std::uint8_t> bytes(cc.serialized_size());
  cc.write_to(bytes);
  return bytes;
}

TEST(SendSideEstimatorAllocation, NothingPerPacketAfterConstruction) {
  std::vector<std::vector<std::uint8_t>> feedbacks;
  for (std::int64_t b = 0; b < 100; ++b) feedbacks.push_back(feedback_bytes(b));
  const time::Timestamp t0{Duration(1'000'000'000)};
  EstimatorConfig config;
  config.window.enabled = true;
  SendSideEstimator estimator(config, t0);

  test::CountAllocations scope;
  std::int64_t seq = 0;
  int probes = 0;
  for (std::int64_t b = 0; b < 100; ++b) {
    for (std::int64_t i = 0; i < kBatch; ++i, ++seq) {
      const time::Timestamp now = t0 + Duration(seq * 2000);
      int cluster = kNoProbeCluster;
      if (const auto probe = estimator.next_probe(now)) {
        cluster = probe->id;
        ++probes;
      }
      estimator.on_packet_sent(SentPacket{seq, 1200, now, cluster});
    }
    const time::Timestamp now = t0 + Duration(seq * 2000 + 40'000);
    const auto raw = rtcp::parse_raw(feedbacks[static_cast<std::size_t>(b)]);
    ASSERT_TRUE(raw);
    const auto cc = rtcp::TransportCc::parse(*raw);
    ASSERT_TRUE(cc);
    estimator.on_feedback(*cc, now);
    if (b % 10 == 0) estimator.on_rtt(Duration(60'000), now);
    EXPECT_GE(estimator.target_bitrate(), config.min_bitrate);
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_GT(probes, 0);
  EXPECT_EQ(estimator.stats().packets_received + estimator.stats().packets_lost, 5000);
}

// The publisher side: recording arrivals and writing feedback allocate nothing either.
TEST(UplinkFeedbackAllocation, NothingPerPacketAfterConstruction) {
  UplinkFeedback feedback;
  std::array<std::uint8_t, kMaxFeedbackBytes> out{};
  const time::Timestamp t0{Duration(1'000'000'000)};
  test::CountAllocations scope;
  std::size_t messages = 0;
  for (std::int64_t i = 0; i < 20'000; ++i) {
    const time::Timestamp now = t0 + Duration(i * 1000);
    if (i % 17 != 5) feedback.on_packet(static_cast<std::uint16_t>(i * 1 + (i % 7 == 0)), now);
    while (feedback.write_feedback(now, 1, 2, out) != 0) ++messages;
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_EQ(messages, 400u);
}

// The pacer: its slots are allocated the first time packets wait, then reused; a key frame's
// worth waiting every 500 ms for 10 s, audio every 20 ms, allocates nothing after the first.
TEST(PacerAllocation, NothingPerPacketOnceItsSlotsExist) {
  Pacer pacer;
  const time::Timestamp t0{Duration(1'000'000'000)};
  pacer.set_estimate(DataRate::kilobits_per_second(800), t0);  // 1.2 Mbit/s: 150 bytes per ms
  const std::vector<std::uint8_t> packet(1200, 0x5a);
  const auto burst = [&](time::Timestamp now) {
    for (int i = 0; i < 40; ++i) pacer.offer(packet, Pacer::Kind::video, now);
  };
  burst(t0);  // 48 KB: 5 sent, 35 wait (slots allocated here)
  std::size_t left = 0;
  test::CountAllocations scope;
  for (int step = 1; step <= 10'000; ++step) {
    const time::Timestamp now = t0 + Duration(step * 1000);
    while (pacer.due(now)) {
      pacer.sent(now);
      ++left;
    }
    if (step % 500 == 0) burst(now);
    if (step % 20 == 0) pacer.offer(std::span(packet).first(100), Pacer::Kind::audio, now);
  }
  EXPECT_EQ(scope.count(), 0u);
  EXPECT_GE(left, 600u);
  EXPECT_EQ(pacer.dropped_packets(), 0u);
}

}  // namespace
}  // namespace rrtc::bwe
