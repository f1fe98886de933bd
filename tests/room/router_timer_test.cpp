// The Router's deadlines (next_timeout / handle_timeout) on a simulated clock: upstream NACK
// retries, key-frame retries, receiver reports and REMB, and no deadline at all when idle.
#include <gtest/gtest.h>

#include "room/router.hpp"
#include "router_fixture.hpp"

namespace rrtc::room::test {
namespace {

TEST(RouterTimers, ARoomWhereNobodyPublishesHasNoDeadline) {
  ForwardCounters counters;
  Router router(RouterOptions{}, counters);
  FakeSink a_sink;
  FakeSink b_sink;
  FakeSink c_sink;
  auto& a = router.add("a", a_sink, {});
  auto& b = router.add("b", b_sink, {});
  auto& c = router.add("c", c_sink, {});
  const time::Timestamp now(5s);
  EXPECT_EQ(router.next_timeout(), std::nullopt);
  // Tracks announced and subscribed (audio waits for no key frame), but no packet yet.
  router.publish(a, {audio_track()}, now);
  router.subscribe(b, {audio_subscription()}, now);
  router.subscribe(c, {audio_subscription()}, now);
  router.on_connected(b, now);
  router.set_state(c, ParticipantState{true, false, false}, now);
  EXPECT_EQ(router.next_timeout(), std::nullopt);
  router.handle_timeout(now + 1h);
  EXPECT_TRUE(a_sink.rtcp.empty());
  EXPECT_TRUE(b_sink.rtcp.empty());
  EXPECT_EQ(router.next_timeout(), std::nullopt);
}

TEST_F(RouterTest, ASubscriberWaitingForAKeyFrameHasARetryDeadline) {
  ASSERT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 1);  // asked at once on subscribe
  EXPECT_EQ(router_.next_timeout(), start_ + 1s);    // RouterOptions::keyframe_retry
  router_.handle_timeout(start_ + 999ms);            // early: harmless
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 1);
  EXPECT_EQ(router_.next_timeout(), start_ + 1s);
  router_.handle_timeout(start_ + 1s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 2);
  EXPECT_EQ(router_.next_timeout(), start_ + 2s);
  // The key frame arrives: nobody waits any more; what is left is the publisher's report.
  now_ = start_ + 1500ms;
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  EXPECT_EQ(router_.next_timeout(), start_ + 2500ms);
  router_.handle_timeout(start_ + 2500ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 2);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 1);
}

TEST_F(RouterTest, APublisherWhoseTransportComesUpIsAskedAgainAtOnce) {
  ASSERT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 1);  // on subscribe: lost, a was not connected
  router_.on_connected(a_, start_ + 15ms);           // within the rate limit, asked anyway
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(
                [](const rtcp::Pli& pli) { return pli.media_ssrc == kVideoSsrc; }),
            2);
  EXPECT_EQ(router_.next_timeout(), start_ + 15ms + 1s);
  // Nobody waits for its audio (no key frames there): nothing else was asked for.
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 2);
}

TEST_F(RouterTest, NoKeyFrameRetriesWhileTheCameraIsOff) {
  router_.set_state(a_, ParticipantState{false, false, false}, now_);
  EXPECT_EQ(router_.next_timeout(), std::nullopt);
  advance(5s);
  router_.set_state(a_, ParticipantState{false, true, false}, now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), 2);  // the subscribe, and the resume
  EXPECT_EQ(router_.next_timeout(), now_ + 1s);
}

TEST_F(RouterTest, APublisherWithTrafficHasAReportDeadlineUntilItGoesSilent) {
  router_.subscribe(b_, {audio_subscription()}, now_);  // no video: no key-frame deadline
  EXPECT_EQ(router_.next_timeout(), std::nullopt);
  now_ = start_ + 100ms;
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  EXPECT_EQ(router_.next_timeout(), start_ + 1100ms);  // one report_interval after it
  now_ = start_ + 600ms;
  send(make_rtp(kAudioSsrc, kOpus, 2, 960, kDelta));
  EXPECT_EQ(router_.next_timeout(), start_ + 1100ms);
  router_.handle_timeout(start_ + 1100ms);
  const auto rr_for_audio = [](const rtcp::ReceiverReport& rr) {
    return rr.report_blocks.size() == 1 && rr.report_blocks[0].ssrc == kAudioSsrc &&
           rr.report_blocks[0].extended_highest_seq == 2;
  };
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(rr_for_audio), 1);
  EXPECT_EQ(router_.next_timeout(), start_ + 2100ms);
  // No packet during that interval: the publisher is silent, no report, no deadline.
  router_.handle_timeout(start_ + 2100ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 1);
  EXPECT_EQ(router_.next_timeout(), std::nullopt);
  // It speaks again: the cycle starts over from that packet.
  now_ = start_ + 3s;
  send(make_rtp(kAudioSsrc, kOpus, 3, 1920, kDelta));
  EXPECT_EQ(router_.next_timeout(), start_ + 4s);
  router_.handle_timeout(start_ + 4s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 2);
  EXPECT_EQ(counters_.receiver_reports_sent.get(), 2u);
}

TEST_F(RouterTest, ALostUpstreamPacketIsNackedOnScheduleUntilTheTriesRunOut) {
  router_.subscribe(b_, {audio_subscription()}, now_);
  send(make_rtp(kAudioSsrc, kOpus, 10, 0, kDelta));
  send(make_rtp(kAudioSsrc, kOpus, 11, 960, kDelta));
  EXPECT_EQ(router_.next_timeout(), start_ + 1s);       // only the report
  send(make_rtp(kAudioSsrc, kOpus, 14, 3840, kDelta));  // 12 and 13 lost
  EXPECT_EQ(router_.next_timeout(), start_);            // a new gap is asked for at once
  const auto nack_12_13 = [](const rtcp::Nack& nack) {
    return nack.media_ssrc == kAudioSsrc && nacked(nack) == std::vector<std::uint16_t>{12, 13};
  };
  // NackOptions: every 40 ms, five tries.
  for (int i = 0; i < 5; ++i) {
    const time::Timestamp due = start_ + i * 40ms;
    router_.handle_timeout(due - 1ms);
    EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_12_13), i) << "try " << i;
    router_.handle_timeout(due);
    EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_12_13), i + 1) << "try " << i;
    EXPECT_EQ(router_.next_timeout(), i < 4 ? due + 40ms : start_ + 1s) << "try " << i;
  }
  EXPECT_EQ(counters_.nacks_sent.get(), 5u);
  router_.handle_timeout(start_ + 1s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(), 5);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 1);
}

TEST_F(RouterTest, NoUpstreamNackForATrackThatDidNotNegotiateIt) {
  PublishedTrack audio = audio_track();
  audio.codecs.front().nack = false;
  router_.publish(a_, {audio}, now_);
  router_.subscribe(b_, {audio_subscription()}, now_);
  send(make_rtp(kAudioSsrc, kOpus, 10, 0, kDelta));
  send(make_rtp(kAudioSsrc, kOpus, 14, 3840, kDelta));
  EXPECT_EQ(router_.next_timeout(), start_ + 1s);
  router_.handle_timeout(start_ + 1s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(), 0);
}

TEST_F(RouterTest, LossFromThePublisherIsNackedAndRtxRecoversIt) {
  send(make_rtp(kVideoSsrc, kVp8, 10, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 11, 0, kDelta));
  send(make_rtp(kVideoSsrc, kVp8, 14, 0, kDelta));  // 12 and 13 lost
  ASSERT_EQ(router_.next_timeout(), now_);
  router_.handle_timeout(now_);
  const auto nack_12_13 = [](const rtcp::Nack& nack) {
    return nack.media_ssrc == kVideoSsrc && nacked(nack) == std::vector<std::uint16_t>{12, 13};
  };
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_12_13), 1);
  router_.handle_timeout(now_ + 1ms);  // not due again yet
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_12_13), 1);
  router_.handle_timeout(now_ + 50ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nack_12_13), 2);
  // RTX (RFC 4588) for 12: original sequence number first in the payload.
  std::vector<std::uint8_t> rtx_payload{0x00, 12};
  rtx_payload.insert(rtx_payload.end(), kDelta.begin(), kDelta.end());
  send(make_rtp(kRtxSsrc, kRtx, 900, 0, rtx_payload));
  EXPECT_EQ(counters_.packets_recovered.get(), 1u);
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  auto recovered = view(subscriber_.rtp.back());
  EXPECT_EQ(recovered.ssrc(), kDownVideo);
  EXPECT_EQ(recovered.payload_type(), 100);
  EXPECT_EQ(recovered.sequence_number(),
            static_cast<std::uint16_t>(view(subscriber_.rtp[0]).sequence_number() + 2));
  EXPECT_TRUE(std::equal(kDelta.begin(), kDelta.end(), recovered.payload().begin(),
                         recovered.payload().end()));
  // Only 13 is still missing.
  router_.handle_timeout(now_ + 100ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>([](const rtcp::Nack& nack) {
    return nacked(nack) == std::vector<std::uint16_t>{13};
  }),
            1);
}

TEST_F(RouterTest, ReportsAndRembGoToThePublisher) {
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  rtcp::Remb remb;
  remb.sender_ssrc = 9;
  remb.bitrate_bps = 400'000;
  const std::array<std::uint32_t, 1> ssrcs{kDownVideo};
  remb.ssrcs = ssrcs;
  std::array<std::uint8_t, 64> buffer{};
  const std::size_t size = remb.write_to(buffer);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_);
  ASSERT_EQ(router_.next_timeout(), now_ + 1s);
  router_.handle_timeout(now_ + 1s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(
                [](const rtcp::ReceiverReport& rr) { return rr.report_blocks.size() == 2; }),
            1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Remb>([](const rtcp::Remb& r) {
    return r.bitrate_bps == 400'000 && r.ssrcs.size() == 1 && r.ssrcs[0] == kVideoSsrc;
  }),
            1);
  EXPECT_EQ(counters_.remb_sent.get(), 1u);
}

TEST_F(RouterTest, OnlyTheTracksHeardSinceTheLastReportAreReported) {
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  router_.handle_timeout(now_ + 1s);
  now_ += 1500ms;
  send(make_rtp(kAudioSsrc, kOpus, 2, 960, kDelta));  // the camera went quiet
  router_.handle_timeout(start_ + 2s);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>([](const rtcp::ReceiverReport& rr) {
    return rr.report_blocks.size() == 1 && rr.report_blocks[0].ssrc == kAudioSsrc;
  }),
            1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>(), 2);
}

}  // namespace
}  // namespace rrtc::room::test
