// The Router without sockets: fake sinks record what a publisher and a subscriber would be
// sent, and time is a parameter (a simulated clock).
#include "room/router.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <variant>
#include <vector>

#include "rtcp/compound.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

struct FakeSink final : RouterSink {
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    EXPECT_GE(buffer.size(), length + 16);
    rtp.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return true;
  }
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override {
    EXPECT_GE(buffer.size(), length + 20);
    rtcp.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    return true;
  }
  // Every RTCP message of type T received so far.
  template <typename T, typename F>
  int count_rtcp(F&& check) const {
    int n = 0;
    for (const auto& datagram : rtcp) {
      rtcp::CompoundReader reader(datagram);
      while (auto packet = reader.next()) {
        if (const auto* message = std::get_if<T>(&*packet); message && check(*message)) ++n;
      }
    }
    return n;
  }
  std::vector<std::vector<std::uint8_t>> rtp;
  std::vector<std::vector<std::uint8_t>> rtcp;
};

constexpr std::uint32_t kVideoSsrc = 0x1111;
constexpr std::uint32_t kRtxSsrc = 0x2222;
constexpr std::uint32_t kAudioSsrc = 0x3333;
constexpr std::uint32_t kDownVideo = 0x5555;
constexpr std::uint32_t kDownAudio = 0x6666;
constexpr std::uint8_t kVp8 = 96;
constexpr std::uint8_t kRtx = 97;
constexpr std::uint8_t kOpus = 111;
constexpr std::uint8_t kAudioLevelId = 1;
constexpr std::uint8_t kMidId = 4;

const std::vector<std::uint8_t> kKeyframe = {0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a,
                                             0x80, 0x02, 0xe0, 0x01, 0xaa, 0xbb};
const std::vector<std::uint8_t> kDelta = {0x10, 0x01, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};

std::vector<std::uint8_t> make_rtp(std::uint32_t ssrc, std::uint8_t pt, std::uint16_t seq,
                                   std::uint32_t ts, std::span<const std::uint8_t> payload,
                                   bool with_extensions = false) {
  rtp::PacketBuilder builder;
  builder.set_ssrc(ssrc).set_payload_type(pt).set_sequence_number(seq).set_timestamp(ts).set_payload(
      payload);
  const std::array<std::uint8_t, 1> level{0x85};
  const std::array<std::uint8_t, 1> mid{'0'};
  if (with_extensions) {
    builder.add_extension(kAudioLevelId, level);
    builder.add_extension(kMidId, mid);
  }
  std::vector<std::uint8_t> out(builder.serialized_size());
  builder.write_to(out);
  return out;
}

PublishedTrack video_track() {
  PublishedTrack track;
  track.key = "a/1";
  track.mid = "1";
  track.type = TrackType::camera;
  track.video = true;
  PublishedCodec vp8;
  vp8.payload_type = kVp8;
  vp8.rtx_payload_type = kRtx;
  vp8.clock_rate = 90000;
  vp8.video_codec = rtp::VideoCodec::kVp8;
  vp8.nack = true;
  vp8.pli = true;
  track.codecs = {vp8};
  track.ssrc = kVideoSsrc;
  track.rtx_ssrc = kRtxSsrc;
  track.remb = true;
  return track;
}

PublishedTrack audio_track() {
  PublishedTrack track;
  track.key = "a/0";
  track.mid = "0";
  track.type = TrackType::audio;
  track.video = false;
  PublishedCodec opus;
  opus.payload_type = kOpus;
  opus.clock_rate = 48000;
  opus.nack = true;
  track.codecs = {opus};
  track.ssrc = kAudioSsrc;
  return track;
}

Subscription subscription(const PublishedTrack& track, std::uint32_t ssrc, std::uint8_t pt) {
  Subscription sub;
  sub.track_key = track.key;
  sub.ssrc = ssrc;
  sub.payload_types.fill(kNoPayloadType);
  sub.payload_types[track.codecs.front().payload_type] = pt;
  sub.extension_ids.fill(0);
  sub.clock_rate = track.codecs.front().clock_rate;
  sub.video = track.video;
  return sub;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : router_(RouterOptions{}, counters_),
        a_(router_.add("a", publisher_, {})),
        b_(router_.add("b", subscriber_, {})) {
    router_.publish(a_, {audio_track(), video_track()}, now_);
    auto audio = subscription(audio_track(), kDownAudio, 109);
    audio.extension_ids[kAudioLevelId] = 5;
    router_.subscribe(b_, {audio, subscription(video_track(), kDownVideo, 100)}, now_);
  }

  void send(const std::vector<std::uint8_t>& packet) {
    std::vector<std::uint8_t> copy = packet;  // the receive buffer is the router's to modify
    router_.on_rtp(a_, copy, now_);
  }
  void advance(nanoseconds d) { now_ += d; }

  static rtp::Packet view(std::vector<std::uint8_t>& bytes) {
    auto parsed = rtp::Packet::parse(bytes);
    EXPECT_TRUE(parsed.has_value());
    return *parsed;
  }

  ForwardCounters counters_;
  FakeSink publisher_;
  FakeSink subscriber_;
  nanoseconds now_{1'000'000'000'000};
  Router router_;
  Router::Member& a_;
  Router::Member& b_;
};

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
  const int plis = publisher_.count_rtcp<rtcp::Pli>([](const rtcp::Pli&) { return true; });
  router_.set_state(a_, ParticipantState{false, true, false}, now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>([](const rtcp::Pli&) { return true; }), plis + 1);
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
  router_.subscribe(b_,
                    {subscription(video_track(), kDownVideo, 100), subscription(screen, 0x8888, 100)},
                    now_);
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

TEST_F(RouterTest, HopLatencyCountsEveryCopyAtItsDeparture) {
  send(make_rtp(kVideoSsrc, kVp8, 500, 0, kKeyframe));
  send(make_rtp(kAudioSsrc, kOpus, 7, 960, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  router_.departed(now_, now_ + std::chrono::microseconds(30));
  router_.departed(now_, now_ + std::chrono::microseconds(30));  // nothing new: no observation
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
  router_.subscribe(b_,
                    {subscription(audio_track(), kDownAudio, 109),
                     subscription(video_track(), kDownVideo, 100)},
                    now_);
  send(make_rtp(kVideoSsrc, kVp8, 502, 0, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 3u);
  auto kept = subscriber_.rtp[2];
  nack_for(view(kept).sequence_number());
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  EXPECT_EQ(subscriber_.rtp.back(), kept);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
}

TEST_F(RouterTest, LossFromThePublisherIsNackedAndRtxRecoversIt) {
  send(make_rtp(kVideoSsrc, kVp8, 10, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, kVp8, 11, 0, kDelta));
  send(make_rtp(kVideoSsrc, kVp8, 14, 0, kDelta));  // 12 and 13 lost
  router_.tick(now_);
  const auto nacked = [](const rtcp::Nack& nack) {
    std::vector<std::uint16_t> seqs;
    nack.for_each_lost([&](std::uint16_t s) { seqs.push_back(s); });
    return nack.media_ssrc == kVideoSsrc && seqs == std::vector<std::uint16_t>{12, 13};
  };
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nacked), 1);
  router_.tick(now_ + 1ms);  // not due again yet
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nacked), 1);
  router_.tick(now_ + 50ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>(nacked), 2);
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
  router_.tick(now_ + 100ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Nack>([](const rtcp::Nack& nack) {
    std::vector<std::uint16_t> seqs;
    nack.for_each_lost([&](std::uint16_t s) { seqs.push_back(s); });
    return seqs == std::vector<std::uint16_t>{13};
  }),
            1);
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
  router_.tick(now_);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::ReceiverReport>([](const rtcp::ReceiverReport& rr) {
    return rr.report_blocks.size() == 2;
  }),
            1);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Remb>([](const rtcp::Remb& r) {
    return r.bitrate_bps > 390'000 && r.bitrate_bps <= 400'000 && r.ssrcs.size() == 1 &&
           r.ssrcs[0] == kVideoSsrc;
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
  const int before = publisher_.count_rtcp<rtcp::Pli>([](const rtcp::Pli&) { return true; });
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 10ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>([](const rtcp::Pli&) { return true; }), before + 1);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 400ms);
  EXPECT_EQ(publisher_.count_rtcp<rtcp::Pli>([](const rtcp::Pli&) { return true; }), before + 2);
}

TEST_F(RouterTest, GarbageAndUnknownStreamsAreCountedNotForwarded) {
  std::vector<std::uint8_t> junk{0x80, 0x60, 0x00};
  router_.on_rtp(a_, junk, now_);
  send(make_rtp(0xdead, kVp8, 1, 0, kKeyframe));
  send(make_rtp(kVideoSsrc, 55, 1, 0, kKeyframe));  // payload type never negotiated
  EXPECT_EQ(counters_.unroutable_packets.get(), 3u);
  EXPECT_TRUE(subscriber_.rtp.empty());
  const std::array<std::uint8_t, 8> bad_rtcp{0x81, 0xcd, 0x00, 0x09, 0, 0, 0, 1};
  router_.on_rtcp(b_, bad_rtcp, now_);
  router_.on_rtcp(a_, std::span<const std::uint8_t>(), now_);
}

TEST_F(RouterTest, AKeptSubscriptionKeepsItsSequenceAcrossRenegotiation) {
  send(make_rtp(kVideoSsrc, kVp8, 1, 0, kKeyframe));
  router_.subscribe(b_, {subscription(video_track(), kDownVideo, 100)}, now_);
  send(make_rtp(kVideoSsrc, kVp8, 2, 0, kDelta));
  ASSERT_EQ(subscriber_.rtp.size(), 2u);
  EXPECT_EQ(router_.subscriptions_of(b_), 1u);
}

TEST_F(RouterTest, APublisherLeavingUnlinksItsSubscribers) {
  const std::size_t rtcp_before = publisher_.rtcp.size();
  router_.remove(a_);
  EXPECT_EQ(router_.members(), 1u);
  // The subscriber's PLI for the gone track reaches nobody; ticks send nothing to the gone one.
  rtcp::Pli pli{9, kDownVideo};
  std::array<std::uint8_t, 16> buffer{};
  const std::size_t size = pli.write_to(buffer);
  router_.on_rtcp(b_, std::span(buffer.data(), size), now_ + 1s);
  router_.tick(now_ + 2s);
  EXPECT_EQ(publisher_.rtcp.size(), rtcp_before);
  EXPECT_EQ(counters_.keyframe_requests.get(), 1u);  // only the one sent on subscribe
}

}  // namespace
}  // namespace rrtc::room
