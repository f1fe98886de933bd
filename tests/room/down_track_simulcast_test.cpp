// DownTrack's simulcast layer switching, VP8 temporal-layer dropping and re-numbering, padding
// slots and NACK copies, on hand-built VP8 packets of three layers (each its own SSRC, sequence
// numbers and timestamps, like a browser's simulcast).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "room/down_track.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace rrtc::room {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

constexpr std::uint8_t kPt = 96;
constexpr std::uint8_t kOutPt = 100;
constexpr std::uint32_t kOutSsrc = 0xd0d0d0d0;
constexpr std::array<std::uint32_t, 3> kLayerSsrc{0x1000, 0x1001, 0x1002};
// Each layer's own timestamp and picture-id numbering, as independent encoders have.
constexpr std::array<std::uint32_t, 3> kLayerTs{10'000, 2'000'000, 900'000'000};
constexpr std::array<std::uint16_t, 3> kLayerPicture{100, 20'000, 32'760};
constexpr std::array<std::uint8_t, 3> kLayerTl0{5, 200, 250};
constexpr std::array<std::uint8_t, 3> kLayerKeyidx{1, 17, 31};

Subscription video_subscription(bool nack = true) {
  Subscription sub;
  sub.ssrc = kOutSsrc;
  sub.payload_types.fill(kNoPayloadType);
  sub.payload_types[kPt] = kOutPt;
  sub.extension_ids.fill(0);
  sub.clock_rate = 90000;
  sub.video = true;
  sub.nack = nack;
  return sub;
}

// One VP8 packet as the publisher sends it.
struct Vp8Packet {
  int layer = 0;
  std::int64_t seq = 0;
  std::uint32_t ts = 0;        // relative to the layer's base
  std::uint16_t picture = 0;   // relative to the layer's first picture id
  std::uint8_t tl0 = 0;        // relative
  std::uint8_t keyidx = 0;     // relative
  int tid = 0;
  bool sync = false;           // Y
  bool start = true;           // S, PID 0: the picture's first packet
  bool key = false;
  bool marker = true;
};

// What the subscriber got.
struct Out {
  ForwardResult result;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::uint32_t ssrc = 0;
  std::uint8_t pt = 0;
  std::uint16_t picture = 0;
  std::uint8_t tl0 = 0;
  std::uint8_t keyidx = 0;
  Bytes bytes;
};

class DownTrackSimulcast : public ::testing::Test {
 protected:
  time::Timestamp now{time::to_duration(1000s)};
  DownTrack track{video_subscription(), DownTrackOptions{}, now};

  static Bytes build(const Vp8Packet& p) {
    const auto picture = static_cast<std::uint16_t>((kLayerPicture[p.layer] + p.picture) & 0x7fff);
    Bytes payload{static_cast<std::uint8_t>(0x80 | (p.start ? 0x10 : 0)), 0xf0,
                  static_cast<std::uint8_t>(0x80 | (picture >> 8)),
                  static_cast<std::uint8_t>(picture),
                  static_cast<std::uint8_t>(kLayerTl0[p.layer] + p.tl0),
                  static_cast<std::uint8_t>((p.tid << 6) | (p.sync ? 0x20 : 0) |
                                            ((kLayerKeyidx[p.layer] + p.keyidx) & 0x1f))};
    if (p.key) {
      payload.insert(payload.end(), {0x50, 0x2f, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01});
    } else {
      payload.insert(payload.end(), {0x51, 0x11, 0x22, 0x33});
    }
    rtp::PacketBuilder builder;
    builder.set_payload_type(kPt)
        .set_sequence_number(static_cast<std::uint16_t>(p.seq))
        .set_timestamp(kLayerTs[p.layer] + p.ts)
        .set_ssrc(kLayerSsrc[p.layer])
        .set_marker(p.marker)
        .set_payload(payload);
    Bytes bytes(builder.serialized_size());
    builder.write_to(bytes);
    return bytes;
  }

  Out send(const Vp8Packet& p) {
    Bytes bytes = build(p);
    auto packet = rtp::Packet::parse(bytes);
    EXPECT_TRUE(packet);
    FrameInfo frame;
    frame.vp8 = rtp::parse_vp8_descriptor(packet->payload());
    EXPECT_TRUE(frame.vp8);
    frame.keyframe = frame.vp8->keyframe;
    frame.temporal_id = *frame.vp8->tid;
    Out out{track.forward(*packet, p.layer, p.seq, frame, now)};
    if (out.result != ForwardResult::forwarded) return out;
    out.seq = packet->sequence_number();
    out.ts = packet->timestamp();
    out.ssrc = packet->ssrc();
    out.pt = packet->payload_type();
    const auto d = rtp::parse_vp8_descriptor(packet->payload());
    EXPECT_TRUE(d);
    out.picture = *d->picture_id;
    out.tl0 = *d->tl0picidx;
    out.keyidx = *d->keyidx;
    out.bytes = bytes;
    return out;
  }

  // Starts layer `layer` with a one-packet key frame at seq, relative numbers 0.
  Out start(int layer, std::int64_t seq) {
    Vp8Packet key{.layer = layer, .seq = seq, .key = true};
    return send(key);
  }
};

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
  const Out up = send({.layer = 1, .seq = 9001, .ts = 6000, .picture = 2, .tl0 = 1, .keyidx = 1,
                       .key = true, .marker = false});
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
  const Out next = send({.layer = 1, .seq = 9002, .ts = 6000, .picture = 2, .tl0 = 1,
                         .keyidx = 1, .start = false});
  EXPECT_EQ(next.seq, 504);
  EXPECT_EQ(next.ts, up.ts);
  EXPECT_EQ(next.picture, up.picture);
  EXPECT_EQ(send({.layer = 0, .seq = 503, .ts = 6000, .picture = 2}).result,
                 ForwardResult::other_layer);
  // An older layer-1 packet than the switch point would go backwards.
  EXPECT_EQ(send({.layer = 1, .seq = 9000, .ts = 3000, .picture = 1}).result,
            ForwardResult::stale);

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
  const Out down = send({.layer = 0, .seq = 505, .ts = 12000, .picture = 4, .tl0 = 2,
                         .keyidx = 1, .key = true});
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
  const Out resumed = send({.layer = 0, .seq = 14, .ts = 12000, .picture = 4, .tl0 = 4,
                            .keyidx = 1, .key = true});
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

TEST_F(DownTrackSimulcast, TemporalDroppingKeepsSeqAndPictureIdsGapFree) {
  // L1T3 pictures, one packet each: TID 0 2 1 2 0 2 1 2 ...; Y on the first TID-1 / TID-2
  // pictures after each TL0 picture.
  auto picture = [&](int n, int tid, bool sync) {
    return Vp8Packet{.layer = 0, .seq = 100 + n, .ts = 3000u * static_cast<std::uint32_t>(n),
                     .picture = static_cast<std::uint16_t>(n),
                     .tl0 = static_cast<std::uint8_t>(n / 4), .tid = tid, .sync = sync,
                     .key = n == 0};
  };
  constexpr std::array<int, 12> kTid{0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2};
  constexpr std::array<bool, 12> kSync{false, true, true, false, false, true,
                                       true, false, false, true, true, false};
  std::vector<Out> out;
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
  const Out synced = send({.seq = 114, .ts = 42000, .picture = 14, .tl0 = 3, .tid = 1,
                           .sync = true});
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

TEST_F(DownTrackSimulcast, NackCopiesAreStoredUnderTheOutgoingSequenceNumber) {
  ASSERT_EQ(start(0, 1000).result, ForwardResult::forwarded);
  track.set_target_layer(1);
  now += 33ms;
  const Out switched = start(1, 70);
  ASSERT_EQ(switched.seq, 1001);
  track.remember(switched.bytes, now);
  const auto stored = track.stored(1001, now);
  ASSERT_TRUE(stored);
  EXPECT_EQ(Bytes(stored->begin(), stored->end()), switched.bytes);
  EXPECT_FALSE(track.stored(70, now));
  EXPECT_FALSE(track.stored(1002, now));  // never sent: no copy
}

// A codec without a descriptor the Router parses (H264, AV1): the key-frame flag alone; the
// payload goes through untouched. The pre-simulcast overload is layer 0.
TEST(DownTrackNoDescriptor, SwitchesAtKeyFramesWithoutTouchingThePayload) {
  time::Timestamp now{time::to_duration(5s)};
  DownTrack track(video_subscription(), DownTrackOptions{}, now);
  const Bytes payload{0x7c, 0x85, 0xaa, 0xbb};  // an FU-A IDR start
  auto make = [&](std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts) {
    rtp::PacketBuilder builder;
    builder.set_payload_type(kPt).set_sequence_number(seq).set_timestamp(ts).set_ssrc(ssrc)
        .set_marker(true).set_payload(payload);
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

}  // namespace
}  // namespace rrtc::room
