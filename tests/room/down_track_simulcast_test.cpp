// DownTrack's simulcast layer switching: only at the target's key frame, with exact sequence
// number, timestamp, picture id, TL0PICIDX and KEYIDX continuity; pause and resume; codecs
// without a parsed descriptor.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "room/down_track_fixture.hpp"
#include "rtp/vp9_descriptor.hpp"

namespace rrtc::room {
namespace {

using namespace rrtc::room::test;
using namespace std::chrono_literals;

TEST_F(DownTrackSimulcast, StartsAtTheTargetLayersKeyFrame) {
  EXPECT_EQ(track.target_layer(), 0);
  EXPECT_EQ(track.current_layer(), -1);
  EXPECT_TRUE(track.switch_pending());
  EXPECT_TRUE(track.waiting_keyframe());
  EXPECT_EQ(send({.layer = 1, .seq = 7, .key = true}).result, ForwardResult::other_layer);
  EXPECT_EQ(send({.layer = 0, .seq = 40}).result, ForwardResult::waiting_keyframe);
  const Out first = start(0, 41);
  ASSERT_EQ(first.result, ForwardResult::forwarded);
  // The first start keeps the publisher's numbering.
  EXPECT_EQ(first.seq, 41);
  EXPECT_EQ(first.ts, kLayerTs[0]);
  EXPECT_EQ(first.ssrc, kOutSsrc);
  EXPECT_EQ(first.pt, kOutPt);
  EXPECT_EQ(first.picture, kLayerPicture[0]);
  EXPECT_EQ(first.tl0, kLayerTl0[0]);
  EXPECT_EQ(first.keyidx, kLayerKeyidx[0]);
  EXPECT_EQ(track.current_layer(), 0);
  EXPECT_FALSE(track.switch_pending());
  EXPECT_FALSE(track.waiting_keyframe());
}

TEST_F(DownTrackSimulcast, SwitchesUpAndDownOnlyAtKeyFramesWithContinuousNumbers) {
  ASSERT_EQ(start(0, 500).result, ForwardResult::forwarded);
  now += 33ms;
  ASSERT_EQ(send({.layer = 0, .seq = 501, .ts = 3000, .picture = 1, .marker = false}).result,
            ForwardResult::forwarded);
  const Out tail = send({.layer = 0, .seq = 502, .ts = 3000, .picture = 1, .start = false});
  ASSERT_EQ(tail.seq, 502);

  track.set_target_layer(1);
  EXPECT_TRUE(track.switch_pending());
  EXPECT_FALSE(track.waiting_keyframe());  // layer 0 keeps flowing
  now += 10ms;
  EXPECT_EQ(send({.layer = 1, .seq = 9000, .ts = 3000, .picture = 1}).result,
            ForwardResult::other_layer);
  EXPECT_EQ(track.current_layer(), 0);

  // Layer 1's key frame, 50 ms of wall time after the last packet sent: the switch point.
  now += 40ms;
  const Out up = send({.layer = 1,
                       .seq = 9001,
                       .ts = 6000,
                       .picture = 2,
                       .tl0 = 1,
                       .keyidx = 1,
                       .key = true,
                       .marker = false});
  ASSERT_EQ(up.result, ForwardResult::forwarded);
  EXPECT_EQ(track.current_layer(), 1);
  EXPECT_FALSE(track.switch_pending());
  EXPECT_EQ(up.seq, 503);
  EXPECT_EQ(up.ts, kLayerTs[0] + 3000 + 4500);  // 50 ms at 90 kHz
  EXPECT_EQ(up.picture, kLayerPicture[0] + 2);
  EXPECT_EQ(up.tl0, kLayerTl0[0] + 1);
  EXPECT_EQ(up.keyidx, kLayerKeyidx[0] + 1);
  EXPECT_EQ(up.ssrc, kOutSsrc);
  // The rest of layer 1 follows its own deltas; layer 0's stragglers are dropped.
  const Out next = send(
      {.layer = 1, .seq = 9002, .ts = 6000, .picture = 2, .tl0 = 1, .keyidx = 1, .start = false});
  EXPECT_EQ(next.seq, 504);
  EXPECT_EQ(next.ts, up.ts);
  EXPECT_EQ(next.picture, up.picture);
  EXPECT_EQ(send({.layer = 0, .seq = 503, .ts = 6000, .picture = 2}).result,
            ForwardResult::other_layer);
  // An older layer-1 packet than the switch point would go backwards.
  EXPECT_EQ(send({.layer = 1, .seq = 9000, .ts = 3000, .picture = 1}).result, ForwardResult::stale);

  // Down again: layer 1 flows until layer 0's key frame.
  track.set_target_layer(0);
  now += 33ms;
  EXPECT_EQ(send({.layer = 0, .seq = 504, .ts = 9000, .picture = 3, .tl0 = 1}).result,
            ForwardResult::other_layer);
  const Out more = send({.layer = 1, .seq = 9003, .ts = 9000, .picture = 3, .tl0 = 2, .keyidx = 1});
  EXPECT_EQ(more.seq, 505);
  EXPECT_EQ(more.ts, up.ts + 3000);
  EXPECT_EQ(more.picture, up.picture + 1);
  EXPECT_EQ(more.tl0, up.tl0 + 1);
  now += 20ms;
  const Out down =
      send({.layer = 0, .seq = 505, .ts = 12000, .picture = 4, .tl0 = 2, .keyidx = 1, .key = true});
  ASSERT_EQ(down.result, ForwardResult::forwarded);
  EXPECT_EQ(track.current_layer(), 0);
  EXPECT_EQ(down.seq, 506);
  EXPECT_EQ(down.ts, more.ts + 1800);  // 20 ms
  EXPECT_EQ(down.picture, more.picture + 1);
  EXPECT_EQ(down.tl0, static_cast<std::uint8_t>(more.tl0 + 1));
  EXPECT_EQ(down.keyidx, (up.keyidx + 1) & 0x1f);
  EXPECT_EQ(send({.layer = 1, .seq = 9004, .ts = 12000, .picture = 4}).result,
            ForwardResult::other_layer);
}

TEST_F(DownTrackSimulcast, PictureIdAndCountersWrapAcrossASwitch) {
  // Layer 2 starts near the top of the 15-bit picture id, TL0PICIDX and KEYIDX ranges.
  track.set_target_layer(2);
  const Out first = start(2, 65535);
  ASSERT_EQ(first.result, ForwardResult::forwarded);
  EXPECT_EQ(first.picture, 32760);
  const Out second = send({.layer = 2, .seq = 65536, .ts = 3000, .picture = 10, .tl0 = 10});
  EXPECT_EQ(second.seq, 0);  // 16-bit wrap on the wire
  EXPECT_EQ(second.picture, (32760 + 10) & 0x7fff);
  EXPECT_EQ(second.tl0, static_cast<std::uint8_t>(250 + 10));
  track.set_target_layer(0);
  now += 100ms;
  const Out switched = start(0, 3);
  EXPECT_EQ(switched.seq, 1);
  EXPECT_EQ(switched.picture, ((32760 + 10) & 0x7fff) + 1);
  EXPECT_EQ(switched.tl0, static_cast<std::uint8_t>(250 + 10 + 1));
  EXPECT_EQ(switched.keyidx, 0);  // 31 + 1 in 5 bits
  EXPECT_EQ(switched.ts, kLayerTs[2] + 3000 + 9000);
}

TEST_F(DownTrackSimulcast, PauseStopsAtOnceAndResumeWaitsForAKeyFrame) {
  ASSERT_EQ(start(0, 10).result, ForwardResult::forwarded);
  track.set_target_layer(-1);
  EXPECT_EQ(track.target_layer(), -1);
  EXPECT_EQ(track.current_layer(), -1);
  EXPECT_FALSE(track.switch_pending());
  EXPECT_FALSE(track.waiting_keyframe());
  EXPECT_EQ(send({.layer = 0, .seq = 11, .ts = 3000, .picture = 1}).result, ForwardResult::paused);
  EXPECT_EQ(send({.layer = 0, .seq = 12, .ts = 6000, .picture = 2, .key = true}).result,
            ForwardResult::paused);
  now += 2s;
  track.set_target_layer(0);
  EXPECT_TRUE(track.waiting_keyframe());
  EXPECT_EQ(send({.layer = 0, .seq = 13, .ts = 9000, .picture = 3}).result,
            ForwardResult::waiting_keyframe);
  const Out resumed =
      send({.layer = 0, .seq = 14, .ts = 12000, .picture = 4, .tl0 = 4, .keyidx = 1, .key = true});
  ASSERT_EQ(resumed.result, ForwardResult::forwarded);
  EXPECT_EQ(resumed.seq, 11);
  EXPECT_EQ(resumed.ts, kLayerTs[0] + 180'000);  // 2 s of wall time
  EXPECT_EQ(resumed.picture, kLayerPicture[0] + 1);
  EXPECT_EQ(resumed.tl0, kLayerTl0[0] + 1);
  EXPECT_EQ(resumed.keyidx, kLayerKeyidx[0] + 1);
}

TEST_F(DownTrackSimulcast, NothingFlowingStartsAfterTheWaitLimitWithoutAKeyFrame) {
  EXPECT_EQ(send({.layer = 0, .seq = 1}).result, ForwardResult::waiting_keyframe);
  now += 3s;
  const Out forced = send({.layer = 0, .seq = 2, .ts = 270000, .picture = 1});
  EXPECT_EQ(forced.result, ForwardResult::forwarded);
  // A switch while a layer flows never gives up on the key frame.
  track.set_target_layer(1);
  send({.layer = 1, .seq = 50});
  now += 10s;
  EXPECT_EQ(send({.layer = 1, .seq = 51, .ts = 3000, .picture = 1}).result,
            ForwardResult::other_layer);
  EXPECT_EQ(track.current_layer(), 0);
}

// A codec without a descriptor the Router parses (H264, AV1): the key-frame flag alone; the
// payload goes through untouched. The pre-simulcast overload is layer 0.
TEST(DownTrackNoDescriptor, SwitchesAtKeyFramesWithoutTouchingThePayload) {
  time::Timestamp now{time::to_duration(5s)};
  DownTrack track(video_subscription(), DownTrackOptions{}, now);
  const Bytes payload{0x7c, 0x85, 0xaa, 0xbb};  // an FU-A IDR start
  auto make = [&](std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts) {
    rtp::PacketBuilder builder;
    builder.set_payload_type(kPt)
        .set_sequence_number(seq)
        .set_timestamp(ts)
        .set_ssrc(ssrc)
        .set_marker(true)
        .set_payload(payload);
    Bytes bytes(builder.serialized_size());
    builder.write_to(bytes);
    return bytes;
  };
  Bytes a = make(1, 10, 1000);
  auto pa = rtp::Packet::parse(a);
  ASSERT_EQ(track.forward(*pa, 10, true, now), ForwardResult::forwarded);
  track.set_target_layer(1);
  Bytes b = make(2, 500, 77777);
  auto pb = rtp::Packet::parse(b);
  EXPECT_EQ(track.forward(*pb, 1, 500, FrameInfo{}, now), ForwardResult::other_layer);
  now += 10ms;
  Bytes c = make(2, 501, 78000);
  auto pc = rtp::Packet::parse(c);
  FrameInfo key;
  key.keyframe = true;
  ASSERT_EQ(track.forward(*pc, 1, 501, key, now), ForwardResult::forwarded);
  EXPECT_EQ(pc->sequence_number(), 11);
  EXPECT_EQ(pc->timestamp(), 1000u + 900u);
  EXPECT_EQ(Bytes(pc->payload().begin(), pc->payload().end()), payload);
}

// VP9 simulcast (each layer its own stream, non-flexible mode): picture id and TL0PICIDX
// continue across a switch too.
TEST(DownTrackVp9, PictureIdAndTl0PicIdxContinueAcrossASwitch) {
  time::Timestamp now{time::to_duration(5s)};
  DownTrack track(video_subscription(), DownTrackOptions{}, now);
  // I L B (+P for a delta frame) | 15-bit picture id | TID 0 SID 0 | TL0PICIDX | frame header
  auto make = [](std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, std::uint16_t picture,
                 std::uint8_t tl0, bool key) {
    const Bytes payload{static_cast<std::uint8_t>(key ? 0xa8 : 0xe8),
                        static_cast<std::uint8_t>(0x80 | (picture >> 8)),
                        static_cast<std::uint8_t>(picture),
                        0x00,
                        tl0,
                        static_cast<std::uint8_t>(key ? 0x82 : 0x86),
                        0x00};
    rtp::PacketBuilder builder;
    builder.set_payload_type(kPt)
        .set_sequence_number(seq)
        .set_timestamp(ts)
        .set_ssrc(ssrc)
        .set_marker(true)
        .set_payload(payload);
    Bytes bytes(builder.serialized_size());
    builder.write_to(bytes);
    return bytes;
  };
  auto forward = [&](Bytes& bytes, int layer, std::int64_t seq) {
    auto packet = rtp::Packet::parse(bytes);
    FrameInfo frame;
    frame.vp9 = rtp::parse_vp9_descriptor(packet->payload());
    frame.keyframe = frame.vp9->keyframe;
    const ForwardResult result = track.forward(*packet, layer, seq, frame, now);
    return std::make_pair(result, rtp::parse_vp9_descriptor(packet->payload()));
  };
  Bytes a = make(1, 10, 1000, 300, 40, true);
  ASSERT_EQ(forward(a, 0, 10).first, ForwardResult::forwarded);
  Bytes b = make(1, 11, 4000, 301, 41, false);
  ASSERT_EQ(forward(b, 0, 11).first, ForwardResult::forwarded);
  track.set_target_layer(1);
  Bytes c = make(2, 800, 50000, 9000, 7, false);
  EXPECT_EQ(forward(c, 1, 800).first, ForwardResult::other_layer);
  now += 33ms;
  Bytes d = make(2, 801, 53000, 9001, 8, true);
  const auto [result, out] = forward(d, 1, 801);
  ASSERT_EQ(result, ForwardResult::forwarded);
  EXPECT_EQ(*out->picture_id, 302);
  EXPECT_EQ(*out->tl0picidx, 42);
  Bytes e = make(2, 802, 56000, 9002, 9, false);
  const auto [next_result, next] = forward(e, 1, 802);
  ASSERT_EQ(next_result, ForwardResult::forwarded);
  EXPECT_EQ(*next->picture_id, 303);
  EXPECT_EQ(*next->tl0picidx, 43);
  const auto wire = rtp::Packet::parse(e);
  EXPECT_EQ(wire->sequence_number(), 13);
  EXPECT_EQ(wire->timestamp(), 4000u + 2970u + 3000u);
  // A NACK for it after the switch: the publisher's copy rewritten with the VP9 descriptor
  // read from it is what was sent, picture id and TL0PICIDX included.
  const DownTrack::SentCopy* copy = track.sent(13);
  ASSERT_NE(copy, nullptr);
  Bytes resend = make(2, 802, 56000, 9002, 9, false);
  auto packet = rtp::Packet::parse(resend);
  FrameInfo descriptors;
  descriptors.vp9 = rtp::parse_vp9_descriptor(packet->payload());
  ASSERT_TRUE(track.rewrite_resend(*packet, *copy, descriptors));
  EXPECT_EQ(resend, e);
}

}  // namespace
}  // namespace rrtc::room
