// The Router's answers to subscribers' NACKs under policing (issue 15): a packet resent at most
// once per the subscriber's round trip (measured from its reports on our sender reports), and
// its resent bytes bounded by a budget earned from the media forwarded to it. Exact counts on a
// simulated clock. Packet sizes: make_rtp with kKeyframe is 25 bytes, with kDelta 20 bytes.
#include <gtest/gtest.h>

#include "room/router.hpp"
#include "router_fixture.hpp"

namespace rrtc::room::test {
namespace {

RouterOptions with_budget(std::uint32_t percent, std::uint64_t burst = 128 * 1024) {
  RouterOptions options;
  options.retransmit_budget_percent = percent;
  options.retransmit_burst_bytes = burst;
  return options;
}

// Budget off (0 %): only the round-trip rule applies.
class NackRoundTrip : public RouterTest {
 protected:
  NackRoundTrip() : RouterTest(with_budget(0)) {}
  void send_video(int packets) {
    for (int i = 0; i < packets; ++i) {
      const bool first = next_ == 500;
      send(make_rtp(kVideoSsrc, kVp8, next_, 0, first ? kKeyframe : kDelta));
      ++next_;
    }
  }
  std::uint16_t next_ = 500;
};

TEST_F(NackRoundTrip, APacketIsResentOncePerDefaultRoundTrip) {
  send_video(10);
  ASSERT_EQ(subscriber_.rtp.size(), 10u);
  const std::uint16_t lost = seq_of(4);
  nack_video({lost});
  ASSERT_EQ(subscriber_.rtp.size(), 11u);
  EXPECT_EQ(subscriber_.rtp.back(), subscriber_.rtp[4]);
  advance(99ms);  // RouterOptions::rtt_default is 100 ms: the copy may still be on its way
  nack_video({lost});
  // The same number twice in one message (two items): both refused.
  const std::array<rtcp::NackItem, 2> twice{rtcp::NackItem{lost, 0}, rtcp::NackItem{lost, 0}};
  rtcp::Nack nack;
  nack.media_ssrc = kDownVideo;
  nack.items = twice;
  send_rtcp(b_, nack);
  EXPECT_EQ(subscriber_.rtp.size(), 11u);
  EXPECT_EQ(counters_.retransmit_refused_duplicate.get(), 3u);
  advance(1ms);
  nack_video({lost});
  EXPECT_EQ(subscriber_.rtp.size(), 12u);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 2u);
  EXPECT_EQ(counters_.retransmit_refused_budget.get(), 0u);
  EXPECT_EQ(counters_.nacks_received.get(), 4u);
}

TEST_F(NackRoundTrip, TheRoundTripComesFromTheSubscribersReportOnOurSenderReport) {
  send_video(10);
  EXPECT_EQ(router_.rtt(b_), std::nullopt);
  rtcp::SenderReport sr;
  sr.sender_ssrc = kVideoSsrc;
  sr.ntp_timestamp = 0xAABBCCDD11223344ULL;
  sr.rtp_timestamp = 0;
  send_rtcp(a_, sr);  // translated to the subscriber at now_ (start_)
  ASSERT_EQ(subscriber_.count_rtcp<rtcp::SenderReport>(), 1);
  // The subscriber answers 130 ms later, having held our SR for 3277 / 65536 s = 50003 us.
  advance(130ms);
  std::array<rtcp::ReportBlock, 1> block{};
  block[0].ssrc = kDownVideo;
  block[0].last_sr = 0xCCDD1122;
  block[0].delay_since_last_sr = 3277;
  rtcp::ReceiverReport rr;
  rr.sender_ssrc = 42;
  rr.report_blocks = block;
  send_rtcp(b_, rr);
  ASSERT_TRUE(router_.rtt(b_).has_value());
  EXPECT_EQ(*router_.rtt(b_), time::Duration(130'000 - 50'003));
  // A block echoing an SR we never sent, or about a stream it does not receive, changes nothing.
  block[0].last_sr = 0x12345678;
  send_rtcp(b_, rr);
  block[0].last_sr = 0xCCDD1122;
  block[0].ssrc = 0x9999;
  send_rtcp(b_, rr);
  EXPECT_EQ(*router_.rtt(b_), time::Duration(79'997));

  // Resends now follow that round trip, not the 100 ms default.
  const std::uint16_t lost = seq_of(3);
  nack_video({lost});
  advance(79'996us);
  nack_video({lost});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  advance(1us);
  nack_video({lost});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 2u);
  EXPECT_EQ(counters_.retransmit_refused_duplicate.get(), 1u);

  // A subscriber that also publishes reports in its SR's blocks: 7/8 smoothing, RFC 6298 style.
  // Here its second sample is 0 (a DLSR as long as the whole wait): floored for resends.
  std::array<rtcp::ReportBlock, 1> again = block;
  again[0].ssrc = kDownVideo;
  again[0].delay_since_last_sr = 65536 * 10;
  rtcp::SenderReport from_subscriber;
  from_subscriber.sender_ssrc = 42;
  from_subscriber.report_blocks = again;
  send_rtcp(b_, from_subscriber);
  EXPECT_EQ(*router_.rtt(b_), time::Duration(79'997 * 7 / 8));
}

TEST_F(NackRoundTrip, ARoundTripBelowTheFloorUsesTheFloor) {
  send_video(10);
  rtcp::SenderReport sr;
  sr.sender_ssrc = kVideoSsrc;
  sr.ntp_timestamp = 0x0000000100020000ULL;
  send_rtcp(a_, sr);
  advance(5ms);
  std::array<rtcp::ReportBlock, 1> block{};
  block[0].ssrc = kDownVideo;
  block[0].last_sr = 0x00010002;
  rtcp::ReceiverReport rr;
  rr.report_blocks = block;
  send_rtcp(b_, rr);
  EXPECT_EQ(*router_.rtt(b_), time::Duration(5'000));
  const std::uint16_t lost = seq_of(2);
  nack_video({lost});
  advance(19ms);  // RouterOptions::rtt_min is 20 ms
  nack_video({lost});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  advance(1ms);
  nack_video({lost});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 2u);
}

class NackBudget : public RouterTest {
 protected:
  NackBudget() : RouterTest(with_budget(50)) {}
  // A key frame then `deltas` delta frames: 25 + 20 * deltas bytes forwarded.
  void send_video(int deltas) {
    send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
    for (int i = 1; i <= deltas; ++i) {
      send(make_rtp(kVideoSsrc, kVp8, static_cast<std::uint16_t>(500 + i), 0, kDelta));
    }
  }
};

TEST_F(NackBudget, ResentBytesAreAShareOfTheForwardedBytes) {
  send_video(9);  // 205 bytes forwarded: 102.5 bytes of resends earned
  ASSERT_EQ(subscriber_.rtp.size(), 10u);
  nack_video({seq_of(1), seq_of(2), seq_of(3), seq_of(4), seq_of(5), seq_of(6)});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 5u);  // 100 bytes
  EXPECT_EQ(counters_.retransmit_refused_budget.get(), 1u);
  EXPECT_EQ(subscriber_.rtp.size(), 15u);
  const std::uint16_t refused = seq_of(6);
  // 2.5 bytes left; one more delta earns 10: 12.5 < 20, still refused; another: 22.5.
  send(make_rtp(kVideoSsrc, kVp8, 510, 0, kDelta));
  nack_video({refused});
  EXPECT_EQ(counters_.retransmit_refused_budget.get(), 2u);
  send(make_rtp(kVideoSsrc, kVp8, 511, 0, kDelta));
  nack_video({refused});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 6u);
  EXPECT_EQ(subscriber_.rtp.back(), subscriber_.rtp[6]);
  EXPECT_EQ(counters_.retransmit_refused_duplicate.get(), 0u);
}

class NackBurst : public RouterTest {
 protected:
  NackBurst() : RouterTest(with_budget(100, 30)) {}
};

TEST_F(NackBurst, SavingsAreCappedAtTheBurst) {
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  for (std::uint16_t seq = 501; seq < 510; ++seq) send(make_rtp(kVideoSsrc, kVp8, seq, 0, kDelta));
  // 205 bytes earned at 100 %, but at most 30 kept: one 20-byte resend.
  nack_video({seq_of(1), seq_of(2), seq_of(3)});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  EXPECT_EQ(counters_.retransmit_refused_budget.get(), 2u);
}

// Issue 15 row R5: one compound of four NACK messages, each asking for the same 255 packets.
TEST_F(NackBudget, AStormCostsALookupPerNumberAndABoundedNumberOfResends) {
  send(make_rtp(kVideoSsrc, kVp8, 0, 0, kKeyframe));
  for (std::uint16_t seq = 1; seq < 300; ++seq) {
    advance(1ms);
    send(make_rtp(kVideoSsrc, kVp8, seq, 0, kDelta));
  }
  // 25 + 299 * 20 = 6005 bytes forwarded: 3002.5 bytes earned, 150 resends of 20 bytes.
  const std::uint16_t newest = seq_of(299);
  std::array<rtcp::NackItem, 15> items{};
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i] = {static_cast<std::uint16_t>(newest - 254 + 17 * i), 0xffff};
  }
  rtcp::Nack nack;
  nack.sender_ssrc = 42;
  nack.media_ssrc = kDownVideo;
  nack.items = items;
  send_rtcp(b_, nack, nack, nack, nack);
  EXPECT_EQ(counters_.nacks_received.get(), 4u);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 150u);
  EXPECT_EQ(counters_.retransmit_refused_budget.get(), 4u * 105u);
  EXPECT_EQ(counters_.retransmit_refused_duplicate.get(), 3u * 150u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 0u);
  EXPECT_EQ(subscriber_.rtp.size(), 300u + 150u);
}

}  // namespace
}  // namespace rrtc::room::test
