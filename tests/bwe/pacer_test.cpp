#include "bwe/pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_units.hpp"

namespace rrtc::bwe {
namespace {

using namespace test_units;

// A packet of `size` bytes whose first two bytes say which it is.
std::vector<std::uint8_t> packet(int id, std::size_t size = 1000) {
  std::vector<std::uint8_t> p(size, 0xab);
  p[0] = static_cast<std::uint8_t>(id >> 8);
  p[1] = static_cast<std::uint8_t>(id);
  return p;
}

// An RTP-shaped packet: id in bytes 0-1, the timestamp and SSRC where RTP has them.
std::vector<std::uint8_t> rtp_packet(int id, std::uint32_t ssrc, std::uint32_t timestamp) {
  auto p = packet(id);
  for (int i = 0; i < 4; ++i) {
    p[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(timestamp >> (24 - 8 * i));
    p[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  }
  return p;
}

int id_of(const Pacer::Due& due) { return (due.slot[0] << 8) | due.slot[1]; }

// Releases everything due until `until`, as the engine's timer does: the ids in order, each
// with the time it left.
std::vector<std::pair<int, time::Timestamp>> run(Pacer& pacer, time::Timestamp until) {
  std::vector<std::pair<int, time::Timestamp>> left;
  while (const auto at = pacer.next_release()) {
    if (*at > until) break;
    while (const auto due = pacer.due(*at)) {
      left.emplace_back(id_of(*due), *at);
      pacer.sent(*at);
    }
  }
  return left;
}

TEST(Pacer, WithoutAnEstimateEverythingLeavesAtOnce) {
  Pacer pacer;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(pacer.offer(packet(i), Pacer::Kind::video, kT0), Pacer::Verdict::send);
  }
  EXPECT_EQ(pacer.queued_packets(), 0U);
  EXPECT_FALSE(pacer.next_release());
}

TEST(Pacer, AKeyFrameLeavesAtTheFactorTimesTheEstimate) {
  Pacer pacer;  // 1.5 x 400 kbit/s = 75 bytes per ms; 40 ms of burst = 3,000 bytes
  pacer.set_estimate(kbps(400), kT0);
  EXPECT_EQ(pacer.rate(), kbps(600));
  int sent = 0;
  for (int i = 0; i < 20; ++i) {
    if (pacer.offer(packet(i), Pacer::Kind::video, kT0) == Pacer::Verdict::send) ++sent;
  }
  EXPECT_EQ(sent, 4);  // the debt was 0, 1000, 2000, 3000 bytes: within the burst
  EXPECT_EQ(pacer.queued_packets(), 16U);
  EXPECT_EQ(pacer.queued_bytes(), 16'000);
  EXPECT_FALSE(pacer.due(kT0));
  const auto left = run(pacer, kT0 + ms(1000));
  ASSERT_EQ(left.size(), 16U);
  for (std::size_t i = 0; i < left.size(); ++i) EXPECT_EQ(left[i].first, static_cast<int>(4 + i));
  // Packet k (from 4) leaves once the debt fell to 3,000 bytes: after (k - 3) x 1000 / 75 ms.
  EXPECT_NEAR(to_ms(left.front().second - kT0), 13.3, 0.1);
  EXPECT_NEAR(to_ms(left.back().second - kT0), 213.3, 0.1);
  EXPECT_EQ(pacer.queued_packets(), 0U);
  EXPECT_EQ(pacer.paced_packets(), 16U);
  EXPECT_EQ(pacer.dropped_packets(), 0U);
}

TEST(Pacer, AudioLeavesAtOnceAndCounts) {
  Pacer pacer;
  pacer.set_estimate(kbps(400), kT0);
  for (int i = 0; i < 10; ++i) pacer.offer(packet(i), Pacer::Kind::video, kT0);
  ASSERT_EQ(pacer.queued_packets(), 6U);
  EXPECT_EQ(pacer.offer(packet(100, 150), Pacer::Kind::audio, kT0), Pacer::Verdict::send);
  EXPECT_EQ(pacer.queued_packets(), 6U);
  // The audio's 150 bytes delay the video behind it by 2 ms.
  const auto left = run(pacer, kT0 + ms(1000));
  ASSERT_EQ(left.size(), 6U);
  EXPECT_NEAR(to_ms(left.front().second - kT0), 15.3, 0.1);
}

TEST(Pacer, PaddingOnlyWhileNothingWaits) {
  Pacer pacer;
  pacer.set_estimate(kbps(400), kT0);
  // A probe may go above the pacing rate: padding is not held back by the debt.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(pacer.offer(packet(i), Pacer::Kind::padding, kT0), Pacer::Verdict::send);
  }
  // But it counts: the next video waits for it.
  EXPECT_EQ(pacer.offer(packet(20), Pacer::Kind::video, kT0), Pacer::Verdict::queued);
  EXPECT_EQ(pacer.offer(packet(21), Pacer::Kind::padding, kT0), Pacer::Verdict::dropped);
  // A resend waits in line with the video.
  EXPECT_EQ(pacer.offer(packet(22), Pacer::Kind::resend, kT0), Pacer::Verdict::queued);
  const auto left = run(pacer, kT0 + ms(1000));
  ASSERT_EQ(left.size(), 2U);
  EXPECT_EQ(left[0].first, 20);
  EXPECT_EQ(left[1].first, 22);
}

TEST(Pacer, AQueueLongerThanMaxDelayDropsWhatComesNext) {
  Pacer pacer;  // 500 ms at 600 kbit/s = 37,500 bytes
  pacer.set_estimate(kbps(400), kT0);
  int sent = 0;
  for (int i = 0; i < 100; ++i) {  // one packet per frame
    const auto p = rtp_packet(i, 1, static_cast<std::uint32_t>(i));
    if (pacer.offer(p, Pacer::Kind::video, kT0) == Pacer::Verdict::send) ++sent;
  }
  EXPECT_EQ(sent, 4);
  EXPECT_EQ(pacer.queued_packets(), 37U);
  EXPECT_EQ(pacer.dropped_packets(), 59U);
  // Once some left, there is room again.
  run(pacer, kT0 + ms(100));
  EXPECT_EQ(pacer.offer(rtp_packet(200, 1, 200), Pacer::Kind::video, kT0 + ms(100)),
            Pacer::Verdict::queued);
}

// A frame already waiting is never cut: a 100 KB key frame (a screen share's) is kept whole
// beyond max_delay; the next frame is dropped while the queue is that long.
TEST(Pacer, AFrameLargerThanMaxDelayWaitsWholeAndTheNextOneIsDropped) {
  Pacer pacer;  // 500 ms at 600 kbit/s = 37,500 bytes
  pacer.set_estimate(kbps(400), kT0);
  for (int i = 0; i < 100; ++i) pacer.offer(rtp_packet(i, 1, 100), Pacer::Kind::video, kT0);
  EXPECT_EQ(pacer.queued_packets(), 96U);
  EXPECT_EQ(pacer.dropped_packets(), 0U);
  // Another stream's packet between them does not break the frame.
  EXPECT_EQ(pacer.offer(rtp_packet(200, 2, 7), Pacer::Kind::video, kT0), Pacer::Verdict::dropped);
  EXPECT_EQ(pacer.offer(rtp_packet(100, 1, 100), Pacer::Kind::video, kT0), Pacer::Verdict::queued);
  // The next frame of the same stream is dropped.
  EXPECT_EQ(pacer.offer(rtp_packet(101, 1, 200), Pacer::Kind::video, kT0), Pacer::Verdict::dropped);
  const auto left = run(pacer, kT0 + ms(2000));
  ASSERT_EQ(left.size(), 97U);
  EXPECT_EQ(left.back().first, 100);
}

TEST(Pacer, SlotsBoundTheQueueAtAnyRate) {
  PacerConfig config;
  config.slots = 8;
  Pacer pacer(config);
  pacer.set_estimate(kbps(100'000), kT0);  // 40 ms of burst: 750,000 bytes
  for (int i = 0; i < 500; ++i) pacer.offer(packet(i), Pacer::Kind::video, kT0);
  EXPECT_EQ(pacer.queued_packets(), 0U);  // all within the burst
  pacer.set_estimate(kbps(100), kT0);  // 750 bytes of burst; the debt is 500 KB
  for (int i = 0; i < 20; ++i) pacer.offer(packet(i, 10), Pacer::Kind::video, kT0);
  EXPECT_EQ(pacer.queued_packets(), 8U);
  EXPECT_EQ(pacer.dropped_packets(), 12U);
  EXPECT_EQ(pacer.offer(packet(0, 2000), Pacer::Kind::video, kT0), Pacer::Verdict::dropped);
}

TEST(Pacer, NoEstimateAnyMoreReleasesTheQueueAtOnceInOrder) {
  Pacer pacer;
  pacer.set_estimate(kbps(400), kT0);
  for (int i = 0; i < 10; ++i) pacer.offer(packet(i), Pacer::Kind::video, kT0);
  ASSERT_EQ(pacer.queued_packets(), 6U);
  pacer.set_estimate(DataRate(), kT0 + ms(1));
  // What comes now waits behind what waited, and everything is due.
  EXPECT_EQ(pacer.offer(packet(50), Pacer::Kind::video, kT0 + ms(1)), Pacer::Verdict::queued);
  EXPECT_EQ(pacer.next_release(), kT0 + ms(1));
  const auto left = run(pacer, kT0 + ms(1));
  ASSERT_EQ(left.size(), 7U);
  EXPECT_EQ(left.back().first, 50);
  EXPECT_EQ(pacer.offer(packet(51), Pacer::Kind::video, kT0 + ms(1)), Pacer::Verdict::send);
}

TEST(Pacer, AKeyFrameDropsWhatWaitsOfItsStreamsEarlierFrames) {
  Pacer pacer;
  pacer.set_estimate(kbps(400), kT0);
  for (int i = 0; i < 10; ++i) pacer.offer(rtp_packet(i, 1, 100), Pacer::Kind::video, kT0);
  pacer.offer(rtp_packet(20, 2, 100), Pacer::Kind::video, kT0);  // another stream
  ASSERT_EQ(pacer.queued_packets(), 7U);                         // 4 of stream 1 left
  EXPECT_EQ(pacer.offer(rtp_packet(30, 1, 400), Pacer::Kind::keyframe, kT0),
            Pacer::Verdict::queued);
  // A second packet flagged as a key frame (an H264 IDR in several packets) keeps its frame's.
  EXPECT_EQ(pacer.offer(rtp_packet(31, 1, 400), Pacer::Kind::keyframe, kT0),
            Pacer::Verdict::queued);
  EXPECT_EQ(pacer.superseded_packets(), 6U);
  EXPECT_EQ(pacer.queued_packets(), 3U);
  EXPECT_EQ(pacer.queued_bytes(), 3000);
  const auto left = run(pacer, kT0 + ms(1000));
  ASSERT_EQ(left.size(), 3U);
  EXPECT_EQ(left[0].first, 20);
  EXPECT_EQ(left[1].first, 30);
  EXPECT_EQ(left[2].first, 31);
  // With nothing waiting, a key frame is ordinary video.
  EXPECT_EQ(pacer.offer(rtp_packet(40, 1, 500), Pacer::Kind::keyframe, kT0 + ms(2000)),
            Pacer::Verdict::send);
}

// Offers a few microseconds apart each drain less than a byte: the fractions add up.
TEST(Pacer, OffersMicrosecondsApartStillDrainAtTheRate) {
  Pacer pacer;  // 75 bytes per ms: a byte every 13.3 us
  pacer.set_estimate(kbps(400), kT0);
  for (int i = 0; i < 4; ++i) pacer.offer(packet(i), Pacer::Kind::video, kT0);  // debt 4000
  // 10,000 audio packets of 0 bytes, 5 us apart: 50 ms, 3,750 bytes drained.
  for (int i = 1; i <= 10'000; ++i) {
    pacer.offer(std::span<const std::uint8_t>(), Pacer::Kind::audio, kT0 + Duration(5 * i));
  }
  EXPECT_EQ(pacer.offer(packet(9), Pacer::Kind::video, kT0 + ms(50)), Pacer::Verdict::send);
}

TEST(Pacer, ASlotIsWritableAndLongEnoughForSrtp) {
  Pacer pacer;
  pacer.set_estimate(kbps(100), kT0);
  for (int i = 0; i < 10; ++i) pacer.offer(packet(i, 1200), Pacer::Kind::video, kT0);
  const auto at = pacer.next_release();
  ASSERT_TRUE(at);
  const auto due = pacer.due(*at);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->length, 1200U);
  EXPECT_GE(due->slot.size(), 1200U + 16);
}

}  // namespace
}  // namespace rrtc::bwe
