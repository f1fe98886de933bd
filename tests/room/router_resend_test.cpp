// Resends from the publisher's one stored copy (PacketStore): a NACKed packet is the stored copy
// rewritten exactly as the subscriber was sent it (sequence number, timestamp, SSRC, payload
// type, extension ids, VP8 picture id), also after a pause re-based its numbering; a packet no
// longer in the store is a counted miss. Exact values on a simulated clock.
#include <gtest/gtest.h>

#include "room/router.hpp"
#include "router_fixture.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace rrtc::room::test {
namespace {

constexpr std::uint8_t kDownMidId = 9;

RouterOptions small_store() {
  RouterOptions options;
  options.video.retransmit_packets = 16;  // the store and each sent map: 16 packets
  options.retransmit_budget_percent = 0;  // no budget: every NACK in the round trip rule
  return options;
}

// VP8 with a 15-bit picture id; a key frame carries a 640x360 size. Mid and audio-level
// extensions, so the resend's extension ids are rewritten too.
std::vector<std::uint8_t> vp8(std::uint16_t seq, std::uint16_t picture, bool key) {
  std::vector<std::uint8_t> payload = {0x90, 0x80, static_cast<std::uint8_t>(0x80 | (picture >> 8)),
                                       static_cast<std::uint8_t>(picture)};
  if (key) {
    payload.insert(payload.end(), {0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01});
  } else {
    payload.insert(payload.end(), {0x01, 0x00, 0x00, 0x11, 0x22, 0x33});
  }
  return make_rtp(kVideoSsrc, kVp8, seq, 3000u * seq, payload, true);
}

class RouterResend : public RouterTest {
 protected:
  RouterResend() : RouterTest(small_store()) {
    Subscription video = subscription(video_track(), kDownVideo, 100);
    video.track_id = "a-camera";
    video.extension_ids[kMidId] = kDownMidId;
    router_.subscribe(b_, {}, now_);
    router_.subscribe(b_, {audio_subscription(), video}, now_);
  }
  void pause(bool paused) {
    TrackSettingsUpdate update;
    update.track_id = "a-camera";
    update.paused = paused;
    ASSERT_TRUE(router_.set_track_settings(b_, update, now_));
  }
};

TEST_F(RouterResend, AResendAfterARebaseIsTheStoredCopyRewrittenAsSent) {
  // Publisher numbers 100-104, picture ids 7000-7004: sent unchanged in number.
  send(vp8(100, 7000, true));
  for (std::uint16_t s = 101; s <= 104; ++s) send(vp8(s, static_cast<std::uint16_t>(s + 6900), false));
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  EXPECT_EQ(seq_of(4), 104);
  // Paused while 105-129 go by (not forwarded, still stored: 114-129 remain of 16 slots).
  pause(true);
  for (std::uint16_t s = 105; s <= 129; ++s) {
    advance(1ms);
    send(vp8(s, static_cast<std::uint16_t>(s + 6900), false));
  }
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  // Resumed at 130's key frame: numbering continues at 105, picture ids at 7005.
  pause(false);
  send(vp8(130, 7030, true));
  send(vp8(131, 7031, false));
  ASSERT_EQ(subscriber_.rtp.size(), 7u);
  ASSERT_EQ(seq_of(6), 106);

  nack_video({106});
  ASSERT_EQ(subscriber_.rtp.size(), 8u);
  EXPECT_EQ(subscriber_.rtp[7], subscriber_.rtp[6]);  // byte for byte what was sent
  rtp::Packet resent = view(subscriber_.rtp[7]);
  EXPECT_EQ(resent.sequence_number(), 106);
  EXPECT_EQ(resent.ssrc(), kDownVideo);
  EXPECT_EQ(resent.payload_type(), 100);
  EXPECT_EQ(resent.timestamp(), view(subscriber_.rtp[5]).timestamp() + 3000u);
  EXPECT_EQ(rtp::parse_vp8_descriptor(resent.payload())->picture_id, 7006);
  EXPECT_TRUE(resent.extension(kDownMidId).has_value());
  EXPECT_FALSE(resent.extension(kMidId).has_value());
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 0u);

  // 102 was sent (publisher's 102) but the store has moved on: a miss, nothing sent. So is a
  // number never sent.
  nack_video({102, 107});
  EXPECT_EQ(subscriber_.rtp.size(), 8u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 2u);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
}

TEST_F(RouterResend, AStoredCopyOlderThanTheRetransmitAgeIsAMiss) {
  send(vp8(100, 7000, true));
  send(vp8(101, 7001, false));
  advance(1000ms);  // DownTrackOptions::retransmit_age: still kept at exactly 1 s
  nack_video({100});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  advance(1ms);
  nack_video({101});
  EXPECT_EQ(counters_.retransmitted_packets.get(), 1u);
  EXPECT_EQ(counters_.retransmit_misses.get(), 1u);
}

// A track published again on another SSRC is a new stream numbered afresh: a NACK for a packet
// sent from the old one is a miss, never the new stream's packet of the same number (here the
// subscriber paused the track, so the new packets are stored but not sent to it).
TEST_F(RouterResend, APacketOfAReplacedStreamIsNotResentFromTheNewOne) {
  send(vp8(100, 7000, true));
  send(vp8(101, 7001, false));
  pause(true);
  PublishedTrack again = video_track();
  again.ssrc = 0x9999;
  again.rtx_ssrc = 0;
  router_.publish(a_, {audio_track(), again}, now_);
  for (std::uint16_t s = 100; s <= 101; ++s) {
    auto packet = vp8(s, static_cast<std::uint16_t>(s + 2000), s == 100);
    packet[8] = 0x00, packet[9] = 0x00, packet[10] = 0x99, packet[11] = 0x99;  // the new SSRC
    send(packet);
  }
  const std::size_t sent = subscriber_.rtp.size();
  nack_video({101});
  EXPECT_EQ(subscriber_.rtp.size(), sent);
  EXPECT_EQ(counters_.retransmit_misses.get(), 1u);
  EXPECT_EQ(counters_.retransmitted_packets.get(), 0u);
}

// Two subscribers share the publisher's one copy; each resend carries its own subscriber's
// numbers.
TEST_F(RouterResend, TwoSubscribersResendFromOneCopyWithTheirOwnNumbers) {
  FakeSink other_sink;
  Router::Member& c = router_.add("c", other_sink, {});
  send(vp8(100, 7000, true));
  send(vp8(101, 7001, false));
  Subscription video = subscription(video_track(), 0x7777, 101);
  video.track_id = "a-camera";
  router_.subscribe(c, {video}, now_);
  send(vp8(102, 7002, true));  // c starts here at the publisher's numbers
  send(vp8(103, 7003, false));
  ASSERT_EQ(other_sink.rtp.size(), 2u);
  ASSERT_EQ(subscriber_.rtp.size(), 4u);
  rtcp::Nack nack;
  const std::array<rtcp::NackItem, 1> item{rtcp::NackItem{103, 0}};
  nack.sender_ssrc = 43;
  nack.media_ssrc = 0x7777;
  nack.items = item;
  send_rtcp(c, nack);
  nack_video({103});
  ASSERT_EQ(other_sink.rtp.size(), 3u);
  ASSERT_EQ(subscriber_.rtp.size(), 5u);
  EXPECT_EQ(other_sink.rtp[2], other_sink.rtp[1]);
  EXPECT_EQ(subscriber_.rtp[4], subscriber_.rtp[3]);
  EXPECT_EQ(view(other_sink.rtp[2]).ssrc(), 0x7777u);
  EXPECT_EQ(view(subscriber_.rtp[4]).ssrc(), kDownVideo);
}

}  // namespace
}  // namespace rrtc::room::test
