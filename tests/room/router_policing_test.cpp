// Ingress policing per published track (issue 15, "No per-publisher policing"): token buckets
// for packets and bits per second with one second of burst, RTX counted against its track,
// drops counted and noticed once per window, and no upstream NACK for what the Router dropped
// itself. Exact values on a simulated clock; make_rtp with kDelta is 20 bytes, kKeyframe 25.
#include <gtest/gtest.h>

#include "room/router.hpp"
#include "router_fixture.hpp"

namespace rrtc::room::test {
namespace {

RouterOptions policed(std::uint64_t packets_per_second, std::uint64_t bitrate) {
  RouterOptions options;
  options.max_track_packets_per_second = packets_per_second;
  options.max_track_bitrate = bitrate;
  return options;
}

class PacketRate : public RouterTest {
 protected:
  PacketRate() : RouterTest(policed(10, 0)) {}
  void send_audio(int packets) {
    for (int i = 0; i < packets; ++i) {
      send(make_rtp(kAudioSsrc, kOpus, seq_, 960u * seq_, kDelta));
      ++seq_;
    }
  }
  std::uint16_t seq_ = 100;
};

TEST_F(PacketRate, TheExcessIsDroppedCountedAndNoticedOncePerWindow) {
  send_audio(10);  // one second of burst
  EXPECT_EQ(subscriber_.rtp.size(), 10u);
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);
  send_audio(1);
  EXPECT_EQ(subscriber_.rtp.size(), 10u);
  EXPECT_EQ(counters_.policed_packets.get(), 1u);
  EXPECT_EQ(counters_.policed_bytes.get(), 20u);
  const auto notice = router_.take_policing_notice();
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->track_key, "a/0");
  EXPECT_EQ(notice->packets, 1u);
  EXPECT_EQ(notice->bytes, 20u);
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);  // once
  // 100 ms refill one packet; the next three go, unnoticed within the 10 s window.
  advance(100ms);
  send_audio(4);
  EXPECT_EQ(subscriber_.rtp.size(), 11u);
  EXPECT_EQ(counters_.policed_packets.get(), 4u);
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);
  // Ten seconds on: a full bucket again (never more than one second's worth).
  advance(10s);
  send_audio(11);
  EXPECT_EQ(subscriber_.rtp.size(), 21u);
  const auto next = router_.take_policing_notice();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->packets, 4u);  // the three unnoticed and this one
  EXPECT_EQ(next->bytes, 80u);
  EXPECT_EQ(counters_.policed_packets.get(), 5u);
  EXPECT_EQ(counters_.forwarded_packets.get(), 21u);
}

TEST_F(PacketRate, DroppedPacketsAreNotAskedForAgain) {
  send_audio(10);
  send_audio(5);  // policed
  send_audio(0);
  advance(1s);
  send_audio(1);
  ASSERT_EQ(counters_.policed_packets.get(), 5u);
  router_.handle_timeout(now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(), 0);
  // The receiver report counts them as received: the publisher is not told of loss we made.
  router_.handle_timeout(now_ + 2s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>([](const rtcp::ReceiverReport& rr) {
    return rr.report_blocks.size() == 1 && rr.report_blocks[0].cumulative_lost == 0 &&
           rr.report_blocks[0].extended_highest_seq == 115;
  }),
            1);
}

TEST_F(PacketRate, ANoticeNotTakenGoesWithARepublishOrTheMember) {
  send_audio(11);
  router_.publish(a_, {audio_track(), video_track()}, now_);  // the key stays: the buckets too
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);
  send_audio(1);
  EXPECT_EQ(counters_.policed_packets.get(), 2u);
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);  // within the window
  advance(10s);
  send_audio(11);
  router_.remove(a_);
  EXPECT_EQ(router_.take_policing_notice(), std::nullopt);
}

TEST_F(PacketRate, EachTrackHasItsOwnBuckets) {
  send_audio(12);
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  EXPECT_EQ(subscriber_.rtp.size(), 11u);
  EXPECT_EQ(counters_.policed_packets.get(), 2u);
}

TEST(RouterPolicing, TheBitrateCapCountsBytes) {
  // 800 bit/s: 100 bytes of burst, 5 delta packets of 20 bytes.
  ForwardCounters counters;
  Router router(policed(0, 800), counters);
  FakeSink a_sink;
  FakeSink b_sink;
  auto& a = router.add("a", a_sink, {});
  auto& b = router.add("b", b_sink, {});
  const time::Timestamp now(10s);
  router.publish(a, {audio_track()}, now);
  router.subscribe(b, {audio_subscription()}, now);
  for (std::uint16_t seq = 0; seq < 6; ++seq) {
    auto packet = make_rtp(kAudioSsrc, kOpus, seq, 960u * seq, kDelta);
    router.on_rtp(a, packet, now);
  }
  EXPECT_EQ(b_sink.rtp.size(), 5u);
  EXPECT_EQ(counters.policed_packets.get(), 1u);
  EXPECT_EQ(counters.policed_bytes.get(), 20u);
  // 25 ms later: 20 bits refilled, 2.5 bytes: not enough for 20 more.
  auto packet = make_rtp(kAudioSsrc, kOpus, 6, 960u * 6, kDelta);
  router.on_rtp(a, packet, now + 25ms);
  EXPECT_EQ(b_sink.rtp.size(), 5u);
  // 200 ms after the burst: 160 bits, exactly one packet.
  packet = make_rtp(kAudioSsrc, kOpus, 7, 960u * 7, kDelta);
  router.on_rtp(a, packet, now + 200ms);
  EXPECT_EQ(b_sink.rtp.size(), 6u);
  EXPECT_EQ(counters.policed_packets.get(), 2u);
}

class RtxRate : public RouterTest {
 protected:
  RtxRate() : RouterTest(policed(3, 0)) {}
  std::vector<std::uint8_t> rtx_for(std::uint16_t original) {
    std::vector<std::uint8_t> payload{static_cast<std::uint8_t>(original >> 8),
                                      static_cast<std::uint8_t>(original)};
    payload.insert(payload.end(), kDelta.begin(), kDelta.end());
    return make_rtp(kRtxSsrc, kRtx, 900, 0, payload);
  }
};

TEST_F(RtxRate, RtxCountsAgainstItsTrack) {
  send(make_rtp(kVideoSsrc, kVp8, 10, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 12, 0, kDelta));  // 11 lost
  send(rtx_for(11));                                // the third packet of the second
  EXPECT_EQ(counters_.packets_recovered.get(), 1u);
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  send(make_rtp(kVideoSsrc, kVp8, 13, 0, kDelta));  // a fourth: policed
  EXPECT_EQ(subscriber_.rtp.size(), 3u);
  EXPECT_EQ(counters_.policed_packets.get(), 1u);
}

TEST_F(RtxRate, APolicedRepairStaysMissingAndIsAskedForAgain) {
  send(make_rtp(kVideoSsrc, kVp8, 10, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 12, 0, kDelta));
  send(make_rtp(kVideoSsrc, kVp8, 13, 0, kDelta));
  router_.handle_timeout(now_);  // 11 asked for once
  send(rtx_for(11));             // over the bucket: dropped before it is unwrapped
  EXPECT_EQ(counters_.policed_packets.get(), 1u);
  EXPECT_EQ(counters_.packets_recovered.get(), 0u);
  router_.handle_timeout(now_ + 40ms);
  const auto nack_11 = [](const rtcp::Nack& nack) {
    return nack.media_ssrc == kVideoSsrc && nacked(nack) == std::vector<std::uint16_t>{11};
  };
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_11), 2);
  EXPECT_EQ(subscriber_.rtp.size(), 3u);
}

}  // namespace
}  // namespace rrtc::room::test
