// Issue 15 row R5 on the simulated network, through the whole engine (real DTLS and SRTP, the
// Router inside MediaRoom): a subscriber's NACK storm gets a bounded number of resends while
// another subscriber of the same publisher sees every packet in order; a publisher at ten times
// its rate is policed per track while its audio and another room go on untouched.
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "rtcp/compound.hpp"
#include "sim_room.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

::testing::AssertionResult in_order(const ReceivedStream& stream) {
  for (std::size_t i = 1; i < stream.sequence.size(); ++i) {
    if (static_cast<std::uint16_t>(stream.sequence[i - 1] + 1) != stream.sequence[i]) {
      return ::testing::AssertionFailure()
             << "arrival " << i << ": " << stream.sequence[i - 1] << " then " << stream.sequence[i];
    }
  }
  if (!stream.missing.empty()) return ::testing::AssertionFailure() << "packets missing";
  return ::testing::AssertionSuccess();
}

std::size_t distinct(const ReceivedStream& stream) {
  return std::set<std::uint16_t>(stream.sequence.begin(), stream.sequence.end()).size();
}

class SimPolicing : public SimRoomTest {
 protected:
  // One 20 ms step of A's media (audio every step, a video frame of `packets` every other step).
  void step(int video_packets) {
    auto& a = *client("A");
    a.send_audio();
    if (phase_++ % 2 == 0) a.send_video_frame(a.take_keyframe_request(), video_packets);
  }
  int phase_ = 0;
};

// A compound of four NACK messages, each asking for the 255 packets up to `newest`.
std::size_t nack_storm(std::uint32_t media_ssrc, std::uint16_t newest,
                       std::span<std::uint8_t> out) {
  std::array<rtcp::NackItem, 15> items{};
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i] = {static_cast<std::uint16_t>(newest - 254 + 17 * i), 0xffff};
  }
  rtcp::CompoundWriter writer(out);
  for (int m = 0; m < 4; ++m) {
    rtcp::Nack nack;
    nack.sender_ssrc = 0xbad;
    nack.media_ssrc = media_ssrc;
    nack.items = items;
    writer.append(nack);
  }
  return writer.size();
}

TEST_F(SimPolicing, ANackStormGetsBoundedResendsAndTheOtherSubscriberNoGap) {
  auto& a = join("A", true);
  auto& b = join("B", false);
  auto& c = join("C", false);
  ASSERT_TRUE(run_until([&] { return a.connected() && b.connected() && c.connected(); }, 2s));
  ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2 && c.tracks().size() == 2; }, 2s));
  publish_for(1s);
  const ReceivedStream* b_video = b.stream_of("A-camera");
  ASSERT_NE(b_video, nullptr);
  ASSERT_NE(c.stream_of("A-camera"), nullptr);
  const std::uint32_t video_ssrc = b_video->ssrc;
  const auto& forward = worker().counters().forward;
  const std::uint64_t resent_before = forward.retransmitted_packets.get();
  const std::uint64_t nacks_before = forward.nacks_received.get();
  const std::size_t b_video_before = distinct(*b_video);
  ASSERT_EQ(b_video->sequence.size(), b_video_before) << "no resend before the storm";
  const std::size_t b_audio_before = b.stream_of("A-audio")->sequence.size();

  // One storm compound every 20 ms for a second, through B's real SRTCP.
  constexpr int kSteps = 50;
  std::array<std::uint8_t, 1500> buffer{};
  for (int i = 0; i < kSteps; ++i) {
    step(3);
    const std::size_t size = nack_storm(video_ssrc, b_video->sequence.back(), buffer);
    ASSERT_EQ(b.peer().send_rtcp(buffer, size), transport::SendResult::Sent);
    run_for(20ms);
  }
  run_for(100ms);

  const std::uint64_t resent = forward.retransmitted_packets.get() - resent_before;
  const std::uint64_t refused = forward.retransmit_refused_duplicate.get() +
                                forward.retransmit_refused_budget.get() +
                                forward.retransmit_misses.get();
  EXPECT_EQ(forward.nacks_received.get() - nacks_before, 4u * kSteps);
  // Every number asked for is either resent or refused.
  EXPECT_EQ(resent + refused, 1020u * kSteps);
  // The budget: B's savings (at most 128 KiB) plus half of what it was sent during the storm
  // (audio 92 bytes, video 212 bytes per packet), in 212-byte video resends.
  const std::size_t audio_sent = b.stream_of("A-audio")->sequence.size() - b_audio_before;
  const std::size_t video_sent = distinct(*b_video) - b_video_before;
  const std::uint64_t budget = (128 * 1024 + (92 * audio_sent + 212 * video_sent) / 2) / 212;
  EXPECT_LE(resent, budget);
  EXPECT_LT(resent, 1020u * kSteps / 20) << "bounded: a few hundred of 51,000 asked for";
  EXPECT_GT(forward.retransmit_refused_duplicate.get(), 0u);
  // (B's SRTP drops the resends as replays: it had every packet.) C, which asked for nothing,
  // saw every packet once and in order.
  EXPECT_TRUE(in_order(*c.stream_of("A-camera")));
  EXPECT_TRUE(in_order(*c.stream_of("A-audio")));
  EXPECT_GE(c.stream_of("A-audio")->sequence.size(), 95u);
}

TEST_F(SimPolicing, APublisherAtTenTimesItsRateIsPolicedPerTrack) {
  limits().max_track_packets_per_second = 200;  // 75 video packets/s normally
  auto& a = join("A", true);
  auto& b = join("B", false);
  auto& calm_pub = join("P", true, {lan_link(), lan_link()}, "calm");
  auto& calm_sub = join("S", false, {lan_link(), lan_link()}, "calm");
  ASSERT_TRUE(run_until(
      [&] {
        return a.connected() && b.connected() && calm_pub.connected() && calm_sub.connected() &&
               b.tracks().size() == 2 && calm_sub.tracks().size() == 2;
      },
      2s));
  publish_for(1s);  // both rooms' publishers at their normal rate
  const auto& forward = worker().counters().forward;
  EXPECT_EQ(forward.policed_packets.get(), 0u);
  const std::size_t video_before = b.stream_of("A-camera")->sequence.size();
  const std::size_t audio_before = b.stream_of("A-audio")->sequence.size();
  // Two seconds at 30 packets per frame: 750 video packets/s from A; P goes on as before.
  for (int i = 0; i < 100; ++i) {
    step(30);
    calm_pub.send_audio();
    if (i % 2 == 0) calm_pub.send_video_frame(calm_pub.take_keyframe_request());
    run_for(20ms);
  }
  run_for(100ms);
  const std::size_t video = b.stream_of("A-camera")->sequence.size() - video_before;
  const std::size_t audio = b.stream_of("A-audio")->sequence.size() - audio_before;
  // 1500 video packets sent; the bucket let through at most its 200 of burst plus 200/s.
  EXPECT_LE(video, 200u + 2 * 200u + 10u);
  EXPECT_GE(video, 2 * 200u);
  EXPECT_EQ(forward.policed_packets.get(), 1500u - video);
  EXPECT_EQ(forward.policed_bytes.get(), 212u * (1500u - video));
  EXPECT_EQ(audio, 100u) << "A's audio has its own bucket";
  EXPECT_TRUE(in_order(*calm_sub.stream_of("P-audio")));
  EXPECT_TRUE(in_order(*calm_sub.stream_of("P-camera")));
}

}  // namespace
}  // namespace rrtc::engine::test
