#include "bwe/send_side_estimator.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtcp/header.hpp"

namespace rrtc::bwe {
namespace {

using time::Duration;
const time::Timestamp kT0{Duration(1'000'000'000)};
constexpr Duration ms(std::int64_t v) { return Duration(v * 1000); }
DataRate kbps(std::int64_t v) { return DataRate::kilobits_per_second(v); }

EstimatorConfig no_probing() {
  EstimatorConfig c;
  c.probing.enabled = false;
  return c;
}

// Sends packets first..last (1200 bytes, 5 ms apart from kT0) and returns reports saying
// each arrived 40 ms later, on a receiver clock offset by `offset`.
std::vector<PacketReport> send(SendSideEstimator& e, std::int64_t first, std::int64_t last,
                               Duration offset = Duration(0)) {
  std::vector<PacketReport> reports;
  for (std::int64_t s = first; s <= last; ++s) {
    const time::Timestamp at = kT0 + ms(5 * s);
    e.on_packet_sent(SentPacket{s, 1200, at, kNoProbeCluster});
    reports.push_back(PacketReport{s, true, at.time_since_epoch() + ms(40) + offset});
  }
  return reports;
}

TEST(SendSideEstimator, FeedbackForUnknownNumbersIsIgnored) {
  SendSideEstimator e(no_probing(), kT0);
  send(e, 0, 9);
  const std::vector<PacketReport> unknown = {
      {100, true, ms(1)}, {101, false, ms(0)}, {-3, true, ms(2)}};
  e.on_feedback(unknown, kT0 + ms(100));
  EXPECT_EQ(e.stats().reports_ignored, 3);
  EXPECT_EQ(e.stats().feedbacks, 0);
  EXPECT_EQ(e.target_bitrate(), kbps(300));
}

TEST(SendSideEstimator, DuplicatedAndReorderedFeedbackCountsEachPacketOnce) {
  SendSideEstimator e(no_probing(), kT0);
  const auto reports = send(e, 0, 19);
  const std::span<const PacketReport> all(reports);
  e.on_feedback(all.subspan(10), kT0 + ms(150));  // the newer feedback first
  e.on_feedback(all.first(10), kT0 + ms(160));
  EXPECT_EQ(e.stats().packets_received, 20);
  e.on_feedback(all, kT0 + ms(170));  // everything again
  EXPECT_EQ(e.stats().packets_received, 20);
  EXPECT_EQ(e.stats().reports_ignored, 20);
  EXPECT_EQ(e.stats().feedbacks, 2);
  // Lost, then reported received by a later feedback: one loss counted, its timing used.
  auto more = send(e, 20, 21);
  more[0].received = false;
  e.on_feedback(more, kT0 + ms(200));
  more[0].received = true;
  e.on_feedback(std::span<const PacketReport>(more).first(1), kT0 + ms(210));
  EXPECT_EQ(e.stats().packets_lost, 1);
  EXPECT_EQ(e.stats().packets_received, 21);
}

// Builds the RTCP bytes of a transport-cc feedback for `reports` (all received).
std::vector<std::uint8_t> transport_cc_bytes(std::span<const PacketReport> reports,
                                             std::uint8_t count) {
  std::vector<rtcp::PacketArrival> arrivals;
  for (const PacketReport& r : reports) arrivals.push_back({r.seq, r.arrival});
  const rtcp::TransportCc cc(1, 2, count, arrivals);
  std::vector<std::uint8_t> bytes(cc.serialized_size());
  EXPECT_EQ(cc.write_to(bytes), bytes.size());
  return bytes;
}

void deliver(SendSideEstimator& e, const std::vector<std::uint8_t>& bytes, time::Timestamp now) {
  const auto raw = rtcp::parse_raw(bytes);
  ASSERT_TRUE(raw);
  const auto cc = rtcp::TransportCc::parse(*raw);
  ASSERT_TRUE(cc);
  e.on_feedback(*cc, now);
}

TEST(SendSideEstimator, TransportCcAcrossTheSixteenBitWrap) {
  SendSideEstimator e(no_probing(), kT0);
  send(e, 0, 65529);  // (no feedback for these)
  const auto reports = send(e, 65530, 65545);
  deliver(e, transport_cc_bytes(reports, 0), kT0 + ms(5 * 65546));
  EXPECT_EQ(e.stats().packets_received, 16);
  EXPECT_EQ(e.stats().reports_ignored, 0);
}

// The same traffic reported on two receiver clocks, one of which crosses the 24-bit wrap of the
// reference time (2^23 x 64 ms, where it turns negative) mid-run, leaves the same estimate.
TEST(SendSideEstimator, OnlyDifferencesOfArrivalTimesMatter) {
  EstimatorConfig config = no_probing();
  SendSideEstimator plain(config, kT0);
  SendSideEstimator wrapping(config, kT0);
  const Duration wrap = rtcp::TransportCc::kReferenceUnit * (std::int64_t{1} << 23);
  // Receiver clock so that arrival of packet 200 (t = 1 s + 40 ms) sits at the wrap.
  const Duration offset = wrap - (kT0.time_since_epoch() + ms(1040));
  for (std::int64_t batch = 0; batch < 40; ++batch) {
    const std::int64_t first = batch * 10;
    const auto a = send(plain, first, first + 9);
    const auto b = send(wrapping, first, first + 9, offset);
    const time::Timestamp now = kT0 + ms(5 * (first + 9) + 80);
    deliver(plain, transport_cc_bytes(a, static_cast<std::uint8_t>(batch)), now);
    deliver(wrapping, transport_cc_bytes(b, static_cast<std::uint8_t>(batch)), now);
    ASSERT_EQ(plain.target_bitrate(), wrapping.target_bitrate()) << batch;
    ASSERT_EQ(plain.stats().acknowledged, wrapping.stats().acknowledged) << batch;
  }
  // 1200 bytes every 5 ms: 1.92 Mbit/s acknowledged.
  ASSERT_TRUE(plain.stats().acknowledged);
  EXPECT_NEAR(plain.stats().acknowledged->kbps(), 1920, 20);
  EXPECT_GT(plain.target_bitrate(), kbps(300));
}

TEST(SendSideEstimator, RembAloneSetsTheTargetUntilItGoesStale) {
  SendSideEstimator e(no_probing(), kT0);
  e.on_remb(kbps(800), kT0 + ms(10));
  EXPECT_EQ(e.target_bitrate(), kbps(800));
  e.on_remb(kbps(10), kT0 + ms(20));
  EXPECT_EQ(e.target_bitrate(), kbps(30));  // the minimum
  e.on_rtt(ms(50), kT0 + ms(5100));         // REMB older than 5 s: back to the delay-based estimate
  EXPECT_EQ(e.target_bitrate(), kbps(300));
}

TEST(SendSideEstimator, RembBoundsTheTransportCcEstimate) {
  SendSideEstimator e(no_probing(), kT0);
  e.on_feedback(send(e, 0, 9), kT0 + ms(100));
  e.on_remb(kbps(2000), kT0 + ms(110));
  EXPECT_EQ(e.target_bitrate(), kbps(300));
  e.on_remb(kbps(100), kT0 + ms(120));
  EXPECT_EQ(e.target_bitrate(), kbps(100));
}

TEST(SendSideEstimator, ReceiverReportLossCountsOnlyWithoutTransportCc) {
  SendSideEstimator e(no_probing(), kT0);
  e.on_loss_report(10, 40, kT0 + ms(1000));  // 20 % of 50
  EXPECT_EQ(e.target_bitrate().bps(), 270'000);
  SendSideEstimator tcc(no_probing(), kT0);
  tcc.on_feedback(send(tcc, 0, 9), kT0 + ms(100));
  tcc.on_loss_report(10, 40, kT0 + ms(1000));
  EXPECT_EQ(tcc.target_bitrate(), kbps(300));
}

TEST(SendSideEstimator, PlansInitialProbesAndMeasuresThem) {
  SendSideEstimator e(EstimatorConfig{}, kT0);
  EXPECT_EQ(e.next_timeout(), kT0);
  const auto first = e.next_probe(kT0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->bitrate, kbps(900));
  const auto second = e.next_probe(kT0);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->bitrate, kbps(1800));
  // Send the second cluster: 8 packets of 1200 bytes 5 ms apart (1.92 Mbit/s), then media;
  // they arrive 6 ms apart (1.6 Mbit/s: the path is full).
  std::vector<PacketReport> reports;
  for (std::int64_t s = 0; s < 9; ++s) {
    const time::Timestamp at = kT0 + ms(5 * s);
    e.on_packet_sent(SentPacket{s, 1200, at, s < 8 ? second->id : kNoProbeCluster});
    reports.push_back(PacketReport{s, true, ms(100 + 6 * s)});
  }
  e.on_feedback(reports, kT0 + ms(150));
  EXPECT_EQ(e.stats().probe_results, 1);
  EXPECT_EQ(e.target_bitrate().bps(), 1'520'000);  // 0.95 x 1.6 Mbit/s
}

// After a decrease, the loss of packets sent before it (still queued at the old rate when it
// happened) does not cut the new rate again; loss of packets sent after it does.
TEST(SendSideEstimator, LossOfPacketsSentBeforeADecreaseDoesNotCutAgain) {
  SendSideEstimator e(no_probing(), kT0);
  const auto lose_two_in_five = [](std::vector<PacketReport>& reports) {
    for (auto& r : reports) r.received = r.seq % 5 >= 2;
  };
  auto before = send(e, 0, 199);  // sent over the first second
  lose_two_in_five(before);
  const std::span<const PacketReport> all(before);
  e.on_feedback(all.first(60), kT0 + ms(1000));  // 40 % lost: the loss bound cuts
  const DataRate cut = e.target_bitrate();
  ASSERT_TRUE(e.stats().loss_bound);
  EXPECT_EQ(cut, kbps(240));  // 300 x (1 - 0.4 / 2)
  // 600 ms later (past rtt + 300 ms), 40 % of the rest is reported lost: all sent before the cut.
  e.on_feedback(all.subspan(60), kT0 + ms(1600));
  EXPECT_EQ(e.stats().packets_lost, 80);
  EXPECT_EQ(e.target_bitrate(), cut);
  // Packets sent after the cut, 40 % lost: they count.
  auto after = send(e, 200, 299);  // sent from kT0 + 1000 ms
  lose_two_in_five(after);
  e.on_feedback(after, kT0 + ms(2200));
  EXPECT_EQ(e.target_bitrate(), kbps(192));  // 240 x 0.8
}

}  // namespace
}  // namespace rrtc::bwe
