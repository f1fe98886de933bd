// DownTrack's VP8 temporal-layer dropping (gap-free sequence numbers and picture ids, reordering
// across a drop), padding slots for probes, and what a resend is rewritten to.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "room/down_track_fixture.hpp"

namespace rrtc::room {
namespace {

// What Router::on_rtcp passes with a VP8 resend: the descriptor read from the stored copy.
FrameInfo vp8_of(const rtp::Packet& packet) {
  FrameInfo frame;
  frame.vp8 = rtp::parse_vp8_descriptor(packet.payload());
  return frame;
}

using namespace rrtc::room::test;
using namespace std::chrono_literals;

TEST_F(DownTrackSimulcast, TemporalDroppingKeepsSeqAndPictureIdsGapFree) {
  // L1T3 pictures, one packet each: TID 0 2 1 2 0 2 1 2 ...; Y on the first TID-1 / TID-2
  // pictures after each TL0 picture.
  auto picture = [&](int n, int tid, bool sync) {
    return Vp8Packet{.layer = 0,
                     .seq = 100 + n,
                     .ts = 3000u * static_cast<std::uint32_t>(n),
                     .picture = static_cast<std::uint16_t>(n),
                     .tl0 = static_cast<std::uint8_t>(n / 4),
                     .tid = tid,
                     .sync = sync,
                     .key = n == 0};
  };
  constexpr std::array<int, 12> kTid{0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2};
  constexpr std::array<bool, 12> kSync{false, true,  true,  false, false, true,
                                       true,  false, false, true,  true,  false};
  std::vector<Out> out;
  out.reserve(kTid.size());
  for (int n = 0; n < 4; ++n) out.push_back(send(picture(n, kTid[n], kSync[n])));
  for (int n = 0; n < 4; ++n) {
    ASSERT_EQ(out[n].result, ForwardResult::forwarded);
    EXPECT_EQ(out[n].seq, 100 + n);
  }
  // Down to TL1: pictures 5 and 7 (TID 2) are dropped from the next picture start on.
  track.set_max_temporal_layer(1);
  for (int n = 4; n < 8; ++n) out.push_back(send(picture(n, kTid[n], kSync[n])));
  EXPECT_EQ(out[4].result, ForwardResult::forwarded);
  EXPECT_EQ(out[5].result, ForwardResult::temporal_dropped);
  EXPECT_EQ(out[6].result, ForwardResult::forwarded);
  EXPECT_EQ(out[7].result, ForwardResult::temporal_dropped);
  EXPECT_EQ(out[4].seq, 104);
  EXPECT_EQ(out[6].seq, 105);
  EXPECT_EQ(out[4].picture, kLayerPicture[0] + 4);
  EXPECT_EQ(out[6].picture, kLayerPicture[0] + 5);
  EXPECT_EQ(out[6].tl0, kLayerTl0[0] + 1);
  EXPECT_EQ(track.current_temporal_layer(), 1);
  // Back up to TL2: only from the next TID-2 picture with Y (picture 9), one step.
  track.set_max_temporal_layer(2);
  for (int n = 8; n < 12; ++n) out.push_back(send(picture(n, kTid[n], kSync[n])));
  EXPECT_EQ(out[8].seq, 106);
  EXPECT_EQ(out[9].result, ForwardResult::forwarded);
  EXPECT_EQ(out[9].seq, 107);
  EXPECT_EQ(out[9].picture, kLayerPicture[0] + 7);
  EXPECT_EQ(out[10].seq, 108);
  EXPECT_EQ(out[11].seq, 109);
  EXPECT_EQ(out[11].picture, kLayerPicture[0] + 9);
  EXPECT_EQ(track.current_temporal_layer(), 2);

  // Raising without a sync picture waits: at TL0 only, a TID-1 picture without Y is dropped.
  track.set_max_temporal_layer(0);
  EXPECT_EQ(send({.seq = 112, .ts = 36000, .picture = 12, .tl0 = 3, .tid = 0}).seq, 110);
  track.set_max_temporal_layer(1);
  EXPECT_EQ(send({.seq = 113, .ts = 39000, .picture = 13, .tl0 = 3, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  const Out synced =
      send({.seq = 114, .ts = 42000, .picture = 14, .tl0 = 3, .tid = 1, .sync = true});
  EXPECT_EQ(synced.seq, 111);
  EXPECT_EQ(synced.picture, kLayerPicture[0] + 11);
}

TEST_F(DownTrackSimulcast, ReorderedPacketsKeepTheNumbersReservedForThem) {
  ASSERT_EQ(start(0, 200).result, ForwardResult::forwarded);
  track.set_max_temporal_layer(0);
  // 201 (TID 0, first packet of picture 1) is late; 202 ends it; picture 2 (TID 1) is dropped;
  // picture 3 follows.
  const Out end = send({.seq = 202, .ts = 3000, .picture = 1, .tid = 0, .start = false});
  EXPECT_EQ(end.seq, 202);
  EXPECT_EQ(send({.seq = 203, .ts = 6000, .picture = 2, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  const Out after = send({.seq = 204, .ts = 9000, .picture = 3, .tl0 = 1, .tid = 0});
  EXPECT_EQ(after.seq, 203);
  EXPECT_EQ(after.picture, kLayerPicture[0] + 2);
  const Out late = send({.seq = 201, .ts = 3000, .picture = 1, .tid = 0, .marker = false});
  ASSERT_EQ(late.result, ForwardResult::forwarded);
  EXPECT_EQ(late.seq, 201);
  EXPECT_EQ(late.picture, kLayerPicture[0] + 1);
  // A duplicate of the dropped one stays dropped; one older than the window is stale.
  EXPECT_EQ(send({.seq = 203, .ts = 6000, .picture = 2, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  EXPECT_EQ(send({.seq = 199, .picture = 0}).result, ForwardResult::stale);
}

// The sequence ring keeps numbers and offsets modulo 2^32: a layer whose extended numbers are
// billions above the first's (a switch makes the offset about -5 * 2^32) and a reorder across
// a multiple of 2^32 still get the numbers reserved for them.
TEST_F(DownTrackSimulcast, ReorderingAcrossA32BitBoundaryAfterAFarSwitchKeepsTheNumbers) {
  ASSERT_EQ(start(0, 200).result, ForwardResult::forwarded);
  track.set_target_layer(1);
  now += 33ms;
  constexpr std::int64_t kFar = (std::int64_t{5} << 32) - 2;   // 2 below 5 * 2^32
  ASSERT_EQ(start(1, kFar).result, ForwardResult::forwarded);  // sent as 201
  track.set_max_temporal_layer(0);
  // kFar + 1 (TID 0) is late; kFar + 2 (5 * 2^32 exactly) ends its picture; picture 2 (TID 1)
  // is dropped; picture 3 follows and moves down one.
  const Out end =
      send({.layer = 1, .seq = kFar + 2, .ts = 3000, .picture = 1, .tid = 0, .start = false});
  ASSERT_EQ(end.result, ForwardResult::forwarded);
  EXPECT_EQ(end.seq, 203);
  EXPECT_EQ(send({.layer = 1, .seq = kFar + 3, .ts = 6000, .picture = 2, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  const Out after =
      send({.layer = 1, .seq = kFar + 4, .ts = 9000, .picture = 3, .tl0 = 1, .tid = 0});
  EXPECT_EQ(after.seq, 204);
  const Out late =
      send({.layer = 1, .seq = kFar + 1, .ts = 3000, .picture = 1, .tid = 0, .marker = false});
  ASSERT_EQ(late.result, ForwardResult::forwarded);
  EXPECT_EQ(late.seq, 202);
  // Kept for a NACK under its full outgoing number (an offset wrong by 2^32 would hide it).
  const DownTrack::SentCopy* copy = track.sent(202);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->in_seq, kFar + 1);
  EXPECT_NE(track.sent(204), nullptr);
  EXPECT_EQ(send({.layer = 1, .seq = kFar + 3, .ts = 6000, .picture = 2, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  // The same low 32 bits one 2^32 below: older than the switch, stale.
  EXPECT_EQ(send({.layer = 1, .seq = kFar + 1 - (std::int64_t{1} << 32), .picture = 1}).result,
            ForwardResult::stale);
}

TEST_F(DownTrackSimulcast, PaddingSlotTakesOneSequenceNumberAtAFrameBoundary) {
  EXPECT_FALSE(track.padding_slot(now));  // nothing sent yet
  ASSERT_EQ(send({.seq = 300, .key = true, .marker = false}).result, ForwardResult::forwarded);
  EXPECT_FALSE(track.padding_slot(now));  // the frame is incomplete
  const Out end = send({.seq = 301, .start = false});
  const auto slot = track.padding_slot(now);
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->seq, 302);
  EXPECT_EQ(slot->timestamp, end.ts);
  EXPECT_EQ(slot->payload_type, kOutPt);
  EXPECT_EQ(track.padding_slot(now)->seq, 303);
  const Out next = send({.seq = 302, .ts = 3000, .picture = 1});
  EXPECT_EQ(next.seq, 304);
  EXPECT_EQ(next.picture, kLayerPicture[0] + 1);
  // A switch after padding continues from the padding's number.
  EXPECT_EQ(track.padding_slot(now)->seq, 305);
  track.set_target_layer(1);
  EXPECT_EQ(start(1, 40).seq, 306);
  EXPECT_EQ(track.packets_sent(), 7u);  // 4 forwarded, 3 padding

  DownTrack audio(
      [] {
        Subscription sub = video_subscription();
        sub.video = false;
        sub.clock_rate = 48000;
        return sub;
      }(),
      DownTrackOptions{}, now);
  EXPECT_FALSE(audio.padding_slot(now));
}

TEST_F(DownTrackSimulcast, PaddingNeverTakesANumberKeptForAMissingPacket) {
  ASSERT_EQ(start(0, 300).seq, 300);
  track.set_max_temporal_layer(0);
  // 301 is missing; 302 (TID 1) is dropped: 301 keeps number 301, so no padding may go now
  // (it would take 301, or sit inside 301's frame).
  EXPECT_EQ(send({.seq = 302, .ts = 6000, .picture = 2, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  EXPECT_FALSE(track.padding_slot(now));
  EXPECT_EQ(send({.seq = 301, .ts = 3000, .picture = 1}).seq, 301);
  EXPECT_EQ(track.padding_slot(now)->seq, 302);
  const Out next = send({.seq = 303, .ts = 9000, .picture = 3, .tl0 = 1});
  EXPECT_EQ(next.seq, 303);
  EXPECT_EQ(next.picture, kLayerPicture[0] + 2);
}

// A resend is the publisher's packet rewritten as it was sent: the sent map keeps, under the
// outgoing number, the layer, the publisher's number and the offsets used then.
TEST_F(DownTrackSimulcast, ASentPacketIsRewrittenFromThePublishersCopyAsItWasSent) {
  const Out first = start(0, 1000);
  ASSERT_EQ(first.result, ForwardResult::forwarded);
  track.set_target_layer(1);
  now += 33ms;
  const Vp8Packet key{.layer = 1, .seq = 70, .key = true};
  const Out switched = send(key);
  ASSERT_EQ(switched.seq, 1001);
  const Out next = send({.layer = 1, .seq = 71, .ts = 3000, .picture = 1});
  ASSERT_EQ(next.seq, 1002);

  const DownTrack::SentCopy* copy = track.sent(1001);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->layer, 1);
  EXPECT_EQ(copy->in_seq, 70);
  Bytes resend = build(key);  // the publisher's copy, as a PacketStore keeps it
  auto packet = rtp::Packet::parse(resend);
  ASSERT_TRUE(packet);
  ASSERT_TRUE(track.rewrite_resend(*packet, *copy, vp8_of(*packet)));
  EXPECT_EQ(resend, switched.bytes);

  // The packet before the switch: layer 0's copy, layer 0's offsets (none: it started there).
  const DownTrack::SentCopy* before = track.sent(1000);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->layer, 0);
  EXPECT_EQ(before->in_seq, 1000);
  Bytes old = build({.layer = 0, .seq = 1000, .key = true});
  auto old_packet = rtp::Packet::parse(old);
  ASSERT_TRUE(track.rewrite_resend(*old_packet, *before, vp8_of(*old_packet)));
  EXPECT_EQ(old, first.bytes);

  EXPECT_EQ(track.sent(70), nullptr);
  EXPECT_EQ(track.sent(1003), nullptr);  // never sent
}

// Temporal dropping moves later numbers and picture ids down: a resend of a packet sent after a
// drop carries the shifted numbers, one sent before it the old ones.
TEST_F(DownTrackSimulcast, AResendAfterATemporalDropKeepsTheShiftedNumbers) {
  ASSERT_EQ(start(0, 300).seq, 300);
  track.set_max_temporal_layer(0);
  const Vp8Packet later{.seq = 302, .ts = 6000, .picture = 2, .tl0 = 1};
  EXPECT_EQ(send({.seq = 301, .ts = 3000, .picture = 1, .tid = 1}).result,
            ForwardResult::temporal_dropped);
  const Out sent = send(later);
  ASSERT_EQ(sent.seq, 301);
  ASSERT_EQ(sent.picture, kLayerPicture[0] + 1);
  const DownTrack::SentCopy* copy = track.sent(301);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->in_seq, 302);
  Bytes resend = build(later);
  auto packet = rtp::Packet::parse(resend);
  ASSERT_TRUE(track.rewrite_resend(*packet, *copy, vp8_of(*packet)));
  EXPECT_EQ(resend, sent.bytes);
  EXPECT_EQ(track.sent(302), nullptr);
}

TEST_F(DownTrackSimulcast, WithoutNackNothingIsKept) {
  DownTrack plain{video_subscription(false), DownTrackOptions{}, now};
  FrameInfo frame;
  frame.keyframe = true;
  Bytes bytes = build({.seq = 5, .key = true});
  auto packet = rtp::Packet::parse(bytes);
  ASSERT_EQ(plain.forward(*packet, 0, 5, frame, now), ForwardResult::forwarded);
  EXPECT_EQ(plain.sent(5), nullptr);
  plain.mark_resent(5, now);
  EXPECT_FALSE(plain.resent_within(5, now, 100ms));
  // With NACK the same packet is found, and a resend is remembered for the round trip.
  ASSERT_EQ(start(0, 5).result, ForwardResult::forwarded);
  ASSERT_NE(track.sent(5), nullptr);
  EXPECT_FALSE(track.resent_within(5, now, 100ms));
  track.mark_resent(5, now);
  EXPECT_TRUE(track.resent_within(5, now + 99ms, 100ms));
  EXPECT_FALSE(track.resent_within(5, now + 100ms, 100ms));
}

// The sent map keeps the low 32 bits of each outgoing number: numbers on both sides of 2^32
// are found, and a copy more than 2^15 numbers behind the newest is not, though its low 16 bits
// match.
TEST_F(DownTrackSimulcast, TheSentMapFindsCopiesAcrossA32BitBoundary) {
  constexpr std::int64_t kTop = (std::int64_t{1} << 32) - 2;  // the first start keeps it
  ASSERT_EQ(start(0, kTop).result, ForwardResult::forwarded);
  for (std::int64_t n = 1; n <= 4; ++n) {
    ASSERT_EQ(send({.seq = kTop + n,
                    .ts = 3000u * static_cast<std::uint32_t>(n),
                    .picture = static_cast<std::uint16_t>(n)})
                  .result,
              ForwardResult::forwarded);
  }
  for (std::int64_t n = 0; n <= 4; ++n) {
    const DownTrack::SentCopy* copy = track.sent(static_cast<std::uint16_t>(kTop + n));
    ASSERT_NE(copy, nullptr) << n;
    EXPECT_EQ(copy->in_seq, kTop + n);
  }
  track.mark_resent(static_cast<std::uint16_t>(kTop + 4), now);
  EXPECT_TRUE(track.resent_within(static_cast<std::uint16_t>(kTop + 4), now, 100ms));
  // Up to kTop + 65541 in steps of 4096 (map slot 3 each time): the entry of kTop + 4 (slot 2)
  // stays, 65,537 numbers behind the newest.
  for (std::int64_t n = 5; n <= 65541; n += 4096) {
    ASSERT_EQ(send({.seq = kTop + n,
                    .ts = 3000u * static_cast<std::uint32_t>(n),
                    .picture = static_cast<std::uint16_t>(n & 0x7fff)})
                  .result,
              ForwardResult::forwarded);
  }
  EXPECT_EQ(track.sent(static_cast<std::uint16_t>(kTop + 4)), nullptr);
  const DownTrack::SentCopy* newest = track.sent(static_cast<std::uint16_t>(kTop + 65541));
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->in_seq, kTop + 65541);
}

}  // namespace
}  // namespace rrtc::room
