// The Router's forwarding and RTCP, driven through its public API on a simulated clock (the
// fixture is in router_fixture.hpp; its deadlines are tested in router_timer_test.cpp).
#include "room/router.hpp"

#include <gtest/gtest.h>

#include "router_fixture.hpp"

namespace rrtc::room::test {
namespace {

TEST_F(RouterTest, SubscribingAsksThePublisherForAKeyFrame) {
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(
                [](const rtcp::Pli& pli) { return pli.media_ssrc == kVideoSsrc; }),
            1);
  EXPECT_EQ(counters_.keyframe_requests.get(), 1u);
}

TEST_F(RouterTest, VideoStartsAtAKeyFrameRewrittenForTheSubscriber) {
  send(make_rtp(kVideoSsrc, kVp8, 100, 9000, kDelta));
  EXPECT_TRUE(subscriber_.rtp.empty());
  EXPECT_EQ(counters_.waiting_keyframe.get(), 1u);
  send(make_rtp(kVideoSsrc, kVp8, 101, 12000, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 102, 12000, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  auto first = view(subscriber_.rtp[0]);
  EXPECT_EQ(first.ssrc(), kDownVideo);
  EXPECT_EQ(first.payload_type(), 100);
  auto second = view(subscriber_.rtp[1]);
  EXPECT_EQ(static_cast<std::uint16_t>(second.sequence_number() - first.sequence_number()), 1);
  EXPECT_TRUE(std::equal(kDelta.begin(), kDelta.end(), second.payload().begin()));
  EXPECT_EQ(counters_.forwarded_packets.get(), 2u);
}

TEST_F(RouterTest, AudioSequenceAndTimestampContinueAcrossMute) {
  for (std::uint16_t i = 0; i < 5; ++i) {
    send(make_rtp(kAudioSsrc, kOpus, static_cast<std::uint16_t>(65533 + i), 960u * i, kDelta));
    advance(20ms);
  }
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  router_.set_state(a_, ParticipantState{true, true, false}, now_);
  for (std::uint16_t i = 5; i < 55; ++i) {
    send(make_rtp(kAudioSsrc, kOpus, static_cast<std::uint16_t>(65533 + i), 960u * i, kDelta));
    advance(20ms);
  }
  EXPECT_EQ(subscriber_.rtp.size(), 5u);
  EXPECT_EQ(counters_.filtered_packets.get(), 50u);
  const auto last = view(subscriber_.rtp.back());
  const std::uint16_t last_seq = last.sequence_number();
  const std::uint32_t last_ts = last.timestamp();
  // The publisher restarts its stream while muted (a new sender after a track swap): it jumps.
  router_.set_state(a_, ParticipantState{false, true, false}, now_);
  send(make_rtp(kAudioSsrc, kOpus, 20000, 5'000'000, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 6u);
  const auto resumed = view(subscriber_.rtp.back());
  EXPECT_EQ(resumed.sequence_number(), static_cast<std::uint16_t>(last_seq + 1));
  // 51 packets of 20 ms passed since the last one sent: about 1.02 s of 48 kHz.
  EXPECT_EQ(resumed.timestamp() - last_ts, 48000u * 1020 / 1000);
  // A late packet from before the resume point would go backwards: dropped.
  send(make_rtp(kAudioSsrc, kOpus, 19990, 4'990'000, kDelta));
  EXPECT_EQ(subscriber_.rtp.size(), 6u);
}

TEST_F(RouterTest, CameraOffStopsVideoAndResumingWaitsForAKeyFrame) {
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  advance(1s);
  router_.set_state(a_, ParticipantState{false, false, false}, now_);
  send(make_rtp(kVideoSsrc, kVp8, 2, 3000, kDelta));
  EXPECT_EQ(subscriber_.rtp.size(), 1u);
  const int plis = publisher_.count_rtcp<rtcp::Pli>();
  router_.set_state(a_, ParticipantState{false, true, false}, now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), plis + 1);
  send(make_rtp(kVideoSsrc, kVp8, 3, 6000, kDelta));
  EXPECT_EQ(subscriber_.rtp.size(), 1u);
  send(make_rtp(kVideoSsrc, kVp8, 4, 9000, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  EXPECT_EQ(view(subscriber_.rtp[1]).sequence_number(),
            static_cast<std::uint16_t>(view(subscriber_.rtp[0]).sequence_number() + 1));
}

TEST_F(RouterTest, ScreenIsForwardedOnlyWhileSharing) {
  PublishedTrack screen = video_track();
  screen.key = "a/2";
  screen.mid = "2";
  screen.type = TrackType::screen;
  screen.ssrc = 0x7777;
  screen.rtx_ssrc = 0;
  router_.publish(a_, {audio_track(), video_track(), screen}, now_);
  router_.subscribe(
      b_, {subscription(video_track(), kDownVideo, 100), subscription(screen, 0x8888, 100)}, now_);
  send(make_rtp(0x7777, kVp8, 1, 0, kKeyframe));
  EXPECT_TRUE(subscriber_.rtp.empty());
  router_.set_state(a_, ParticipantState{false, true, true}, now_);
  send(make_rtp(0x7777, kVp8, 2, 3000, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  EXPECT_EQ(view(subscriber_.rtp[0]).ssrc(), 0x8888u);
}

TEST_F(RouterTest, SubscriberNackIsAnsweredFromTheRetransmitBuffer) {
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  for (std::uint16_t seq = 501; seq < 510; ++seq) send(make_rtp(kVideoSsrc, kVp8, seq, 0, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 10u);
  const auto lost = subscriber_.rtp[4];
  const std::uint16_t lost_seq = view(subscriber_.rtp[4]).sequence_number();
  // NACK for the lost one and one never sent.
  const std::array<std::uint16_t, 2> seqs{lost_seq, static_cast<std::uint16_t>(lost_seq + 100)};
  std::array<rtcp::NackItem, 2> items{};
  const std::size_t n = rtcp::pack_nack_items(seqs, items);
  rtcp::Nack nack;
  nack.sender_ssrc = 42;
  nack.media_ssrc = kDownVideo;
  nack.items = std::span<const rtcp::NackItem>(items.data(), n);
  std::array<std::uint8_t, 64> buffer{};
  const std::size_t size = nack.write_to(buffer);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_);
  ASSERT_EQ(subscriber_.rtp.size(), 11u);
  EXPECT_EQ(subscriber_.rtp.back(), lost);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 1u);
}

// The sink is told what each packet is, for the subscriber's pacer: audio, the first packet of a
// key frame, other video, a resend.
TEST_F(RouterTest, EachCopyIsSentAsWhatItIs) {
  send(make_rtp(kAudioSsrc, kOpus, 10, 960, kDelta));
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 501, 0, kDelta));
  send(make_rtp(kVideoSsrc, kVp8, 502, 3000, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  nack_video({view(subscriber_.rtp[2]).sequence_number()});
  ASSERT_EQ(subscriber_.kinds.size(), 5u);
  EXPECT_EQ(subscriber_.kinds, (std::vector<SendKind>{SendKind::audio, SendKind::keyframe,
                                                      SendKind::video, SendKind::keyframe,
                                                      SendKind::resend}));
}

TEST_F(RouterTest, HopLatencyCountsEveryCopyAtItsDeparture) {
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  send(make_rtp(kAudioSsrc, kOpus, 7, 960, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  router_.departed(now_, now_ + 30us);
  router_.departed(now_, now_ + 30us);  // nothing new: no observation
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    total += counters_.hop_latency.bucket(i);
  }
  EXPECT_EQ(total, 2u);
  EXPECT_EQ(counters_.hop_latency.bucket(3), 2u);  // (25 µs, 50 µs]
  EXPECT_EQ(counters_.hop_latency.sum_ns(), 60'000u);
}

TEST_F(RouterTest, CopiesAreKeptOnlyWhenTheSubscriberNegotiatedNack) {
  const auto nack_for = [&](std::uint16_t seq) {
    rtcp::Nack nack;
    std::array<rtcp::NackItem, 1> items{};
    const std::array<std::uint16_t, 1> seqs{seq};
    nack.sender_ssrc = 42;
    nack.media_ssrc = kDownVideo;
    nack.items = std::span<const rtcp::NackItem>(items.data(), rtcp::pack_nack_items(seqs, items));
    std::array<std::uint8_t, 64> buffer{};
    router_.on_rtcp(b_, std::span(buffer.data(), nack.write_to(buffer)), now_);
  };
  // A renegotiation drops NACK (the answer lists no rtcp-fb nack): the ring goes.
  Subscription without = subscription(video_track(), kDownVideo, 100);
  without.nack = false;
  router_.subscribe(b_, {subscription(audio_track(), kDownAudio, 109), without}, now_);
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 501, 0, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  nack_for(view(subscriber_.rtp[0]).sequence_number());
  EXPECT_EQ(subscriber_.rtp.size(), 2u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 1u);
  // And back: copies are kept again from then on.
  router_.subscribe(
      b_,
      {subscription(audio_track(), kDownAudio, 109), subscription(video_track(), kDownVideo, 100)},
      now_);
  send(make_rtp(kVideoSsrc, kVp8, 502, 0, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  auto kept = subscriber_.rtp[2];
  nack_for(view(kept).sequence_number());
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  EXPECT_EQ(subscriber_.rtp.back(), kept);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
}

TEST_F(RouterTest, SenderReportsAreTranslatedPerSubscriber) {
  send(make_rtp(kAudioSsrc, kOpus, 7, 48000, kDelta));
  rtcp::SenderReport sr;
  sr.sender_ssrc = kAudioSsrc;
  sr.ntp_timestamp = 0x0102030405060708ULL;
  sr.rtp_timestamp = 48960;
  sr.packet_count = 99;
  std::array<std::uint8_t, 64> buffer{};
  const std::size_t size = sr.write_to(buffer);
  router_.on_rtcp(a_, std::span(buffer.data(), size), now_);
  const auto out = view(subscriber_.rtp[0]);
  const std::uint32_t offset = out.timestamp() - 48000;
  EXPECT_EQ(subscriber_.count_rtcp<rtcp::SenderReport>([&](const rtcp::SenderReport& s) {
    return s.sender_ssrc == kDownAudio && s.ntp_timestamp == sr.ntp_timestamp &&
           s.rtp_timestamp == 48960 + offset && s.packet_count == 1;
  }),
            1);
}

TEST_F(RouterTest, ExtensionIdsAreRenumberedAndUnnegotiatedOnesRemoved) {
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta, true));
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  auto out = view(subscriber_.rtp[0]);
  ASSERT_TRUE(out.extension(5).has_value());
  EXPECT_EQ((*out.extension(5))[0], 0x85);
  EXPECT_FALSE(out.extension(kAudioLevelId).has_value());
  EXPECT_FALSE(out.extension(kMidId).has_value());
}

TEST_F(RouterTest, SubscriberPliReachesThePublisherRateLimited) {
  advance(1s);
  rtcp::Pli pli{9, kDownVideo};
  std::array<std::uint8_t, 16> buffer{};
  const std::size_t size = pli.write_to(buffer);
  const int before = publisher_.count_rtcp<rtcp::Pli>();
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 10ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), before + 1);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 400ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>(), before + 2);
}

TEST_F(RouterTest, GarbageAndUnknownStreamsAreCountedNotForwarded) {
  std::vector<std::uint8_t> junk{0x80, 0x60, 0x00};
  router_.on_rtp(a_, junk, now_);
  send(make_rtp(0xdead, kVp8, 1, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, 55, 1, 0, kKeyframe));  // payload type never negotiated
  EXPECT_EQ(counters_.unroutable_packets.get(), 3u);
  EXPECT_TRUE(subscriber_.rtp.empty());
  const std::array<std::uint8_t, 8> bad_rtcp{0x81, 0xcd, 0x00, 0x09, 0, 0, 0, 1};
  router_.on_rtcp(b_, bad_rtcp, now_);  // a NACK header whose length runs past the datagram
  router_.on_rtcp(a_, std::span<const std::uint8_t>(), now_);
  EXPECT_EQ(counters_.malformed_rtcp.get(), 1u);
  EXPECT_EQ(counters_.nacks_received.get(), 0u);
  EXPECT_TRUE(publisher_.rtp.empty());
  EXPECT_EQ(publisher_.rtcp.size(), 1u);  // only the PLI sent on subscribe
  EXPECT_TRUE(subscriber_.rtcp.empty());
}

TEST_F(RouterTest, AKeptSubscriptionKeepsItsSequenceAcrossRenegotiation) {
  send(make_rtp(kVideoSsrc, kVp8, 1, 90000, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 1u);
  const auto before = view(subscriber_.rtp[0]);
  // The subscriber's new answer keeps the track and its SSRC but maps another payload type.
  router_.subscribe(b_, {subscription(video_track(), kDownVideo, 102)}, now_);
  EXPECT_EQ(router_.subscriptions_of(b_), 1u);
  advance(33ms);
  send(make_rtp(kVideoSsrc, kVp8, 2, 93000, kDelta));  // no key frame needed: not a new stream
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  const auto after = view(subscriber_.rtp[1]);
  EXPECT_EQ(after.ssrc(), kDownVideo);
  EXPECT_EQ(after.sequence_number(), static_cast<std::uint16_t>(before.sequence_number() + 1));
  EXPECT_EQ(after.timestamp(), before.timestamp() + 3000u);
  EXPECT_EQ(before.payload_type(), 100);
  EXPECT_EQ(after.payload_type(), 102);
  // A subscription with a new SSRC is a new stream: it starts over at a key frame.
  router_.subscribe(b_, {subscription(video_track(), 0x9999, 100)}, now_);
  send(make_rtp(kVideoSsrc, kVp8, 3, 96000, kDelta));
  EXPECT_EQ(subscriber_.rtp.size(), 2u);
  send(make_rtp(kVideoSsrc, kVp8, 4, 99000, kKeyframe));
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  EXPECT_EQ(view(subscriber_.rtp[2]).ssrc(), 0x9999u);
  EXPECT_EQ(view(subscriber_.rtp[2]).sequence_number(), 4u);  // its own numbering from the start
}

TEST_F(RouterTest, APublisherLeavingUnlinksItsSubscribers) {
  send(make_rtp(kAudioSsrc, kOpus, 1, 0, kDelta));
  const std::size_t rtcp_before = publisher_.rtcp.size();
  router_.remove(a_);
  EXPECT_EQ(router_.members(), 1u);
  EXPECT_EQ(router_.next_timeout(), std::nullopt);  // its report and key-frame deadlines went
  // The subscriber's PLI for the gone track reaches nobody; nothing is sent to the gone one.
  rtcp::Pli pli{9, kDownVideo};
  std::array<std::uint8_t, 16> buffer{};
  const std::size_t size = pli.write_to(buffer);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 1s);
  router_.handle_timeout(now_ + 2s);
  EXPECT_EQ(publisher_.rtcp.size(), rtcp_before);
  EXPECT_EQ(counters_.keyframe_requests.get(), 1u);  // only the one sent on subscribe
}

}  // namespace
}  // namespace rrtc::room::test
