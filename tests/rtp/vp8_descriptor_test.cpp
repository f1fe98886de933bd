#include "rtp/vp8_descriptor.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/hex_fixture.hpp"
#include "rtp/keyframe.hpp"
#include "rtp/packet.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Vp8Descriptor, MinimalKeyFrameWithSize) {
  // S=1 PID=0, no X; frame tag P=0; start code; 640 (scale 2) x 480 (scale 1).
  const Bytes payload = test::parse_hex("10  50 2f 00  9d 01 2a  80 82  e0 41");
  const auto d = parse_vp8_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->start_of_partition);
  EXPECT_EQ(d->partition_id, 0);
  EXPECT_TRUE(d->starts_picture());
  EXPECT_FALSE(d->picture_id);
  EXPECT_FALSE(d->tl0picidx);
  EXPECT_FALSE(d->tid);
  EXPECT_FALSE(d->keyidx);
  EXPECT_EQ(d->header_size, 1u);
  EXPECT_TRUE(d->keyframe);
  EXPECT_EQ(d->width, 0x0280);
  EXPECT_EQ(d->horizontal_scale, 2);
  EXPECT_EQ(d->height, 0x01e0);
  EXPECT_EQ(d->vertical_scale, 1);
}

TEST(Vp8Descriptor, AllFieldsWith15BitPictureId) {
  // X N S PID=0 | I L T K | M + 15-bit picture id 0x1234 | TL0PICIDX 0xab | TID=2 Y=1 KEYIDX=0x15
  // then an interframe's tag (P=1).
  const Bytes payload = test::parse_hex("b0 f0 92 34 ab b5  01 02 03");
  const auto d = parse_vp8_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->non_reference);
  EXPECT_TRUE(d->starts_picture());
  ASSERT_TRUE(d->picture_id);
  EXPECT_EQ(*d->picture_id, 0x1234);
  EXPECT_TRUE(d->picture_id_15bit);
  EXPECT_EQ(d->picture_id_offset, 2u);
  ASSERT_TRUE(d->tl0picidx);
  EXPECT_EQ(*d->tl0picidx, 0xab);
  EXPECT_EQ(d->tl0picidx_offset, 4u);
  ASSERT_TRUE(d->tid);
  EXPECT_EQ(*d->tid, 2);
  EXPECT_TRUE(d->layer_sync);
  ASSERT_TRUE(d->keyidx);
  EXPECT_EQ(*d->keyidx, 0x15);
  EXPECT_EQ(d->tidkey_offset, 5u);
  EXPECT_EQ(d->header_size, 6u);
  EXPECT_FALSE(d->keyframe);
  EXPECT_EQ(d->width, 0);
}

TEST(Vp8Descriptor, SevenBitPictureIdAndTidWithoutKeyidx) {
  // X, not S, PID=1 | I T | 7-bit picture id 0x45 | TID=1 Y=0 (KEYIDX bits ignored without K)
  const Bytes payload = test::parse_hex("81 a0 45 5f  aa");
  const auto d = parse_vp8_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->start_of_partition);
  EXPECT_EQ(d->partition_id, 1);
  EXPECT_FALSE(d->starts_picture());
  EXPECT_EQ(*d->picture_id, 0x45);
  EXPECT_FALSE(d->picture_id_15bit);
  EXPECT_EQ(*d->tid, 1);
  EXPECT_FALSE(d->layer_sync);
  EXPECT_FALSE(d->keyidx);
  EXPECT_EQ(d->tidkey_offset, 3u);
  EXPECT_EQ(d->header_size, 4u);
}

TEST(Vp8Descriptor, KeyidxWithoutTid) {
  const Bytes payload = test::parse_hex("90 10 e7  50 2f 00 9d 01 2a");  // K only: KEYIDX 7
  const auto d = parse_vp8_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->tid);
  EXPECT_FALSE(d->layer_sync);
  EXPECT_EQ(*d->keyidx, 7);
  EXPECT_TRUE(d->keyframe);
  EXPECT_EQ(d->width, 0);  // truncated before the size
}

TEST(Vp8Descriptor, KeyFrameNeedsPartitionZeroStartAndStartCode) {
  // Same frame bytes: not S; S with PID 1; P=1; a broken start code.
  for (const char* hex :
       {"00  50 2f 00 9d 01 2a 80 02 e0 01", "11  50 2f 00 9d 01 2a 80 02 e0 01",
        "10  51 2f 00 9d 01 2a 80 02 e0 01", "10  50 2f 00 9d 01 2b 80 02 e0 01"}) {
    const auto d = parse_vp8_descriptor(test::parse_hex(hex));
    ASSERT_TRUE(d) << hex;
    EXPECT_FALSE(d->keyframe) << hex;
    EXPECT_EQ(d->width, 0) << hex;
  }
}

TEST(Vp8Descriptor, TruncatedDescriptorsAreRefused) {
  for (const char* hex : {"", "80", "80 80", "80 80 92", "80 40", "80 20", "80 10",
                          "b0 f0 92 34 ab", "b0 f0 92 34 ab b5", "10"}) {
    EXPECT_FALSE(parse_vp8_descriptor(test::parse_hex(hex))) << '"' << hex << '"';
  }
}

TEST(Vp8Descriptor, CapturedAiortcKeyFrame) {
  Bytes bytes = test::load_hex_fixture("rtp/vp8_key_frame_start.hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  const auto d = parse_vp8_descriptor(packet->payload());
  ASSERT_TRUE(d);
  EXPECT_EQ(*d->picture_id, 0x3f07);
  EXPECT_TRUE(d->picture_id_15bit);
  EXPECT_FALSE(d->tl0picidx);
  EXPECT_FALSE(d->tid);
  EXPECT_EQ(d->header_size, 4u);
  EXPECT_TRUE(d->keyframe);
  EXPECT_EQ(d->width, 320);
  EXPECT_EQ(d->height, 240);
  EXPECT_EQ(d->keyframe, is_vp8_keyframe(packet->payload()));
}

TEST(Vp8Descriptor, CapturedDeltaAndContinuation) {
  for (const char* name : {"rtp/vp8_delta_frame_start.hex", "rtp/vp8_continuation.hex"}) {
    Bytes bytes = test::load_hex_fixture(name);
    auto packet = Packet::parse(bytes);
    ASSERT_TRUE(packet);
    const auto d = parse_vp8_descriptor(packet->payload());
    ASSERT_TRUE(d) << name;
    EXPECT_FALSE(d->keyframe) << name;
    EXPECT_TRUE(d->picture_id) << name;
  }
}

TEST(Vp8Descriptor, RewritesInPlace) {
  Bytes payload = test::parse_hex("b0 f0 92 34 ab b5  01 02 03");
  const auto d = parse_vp8_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(write_vp8_picture_id(payload, *d, 0x7ffe));
  EXPECT_TRUE(write_vp8_tl0picidx(payload, *d, 0x01));
  EXPECT_TRUE(write_vp8_keyidx(payload, *d, 0x22));  // low 5 bits: 0x02
  EXPECT_EQ(payload, test::parse_hex("b0 f0 ff fe 01 a2  01 02 03"));

  Bytes seven = test::parse_hex("81 a0 45 5f  aa");
  const auto s = parse_vp8_descriptor(seven);
  ASSERT_TRUE(s);
  EXPECT_TRUE(write_vp8_picture_id(seven, *s, 0x01c5));  // low 7 bits: 0x45
  EXPECT_FALSE(write_vp8_tl0picidx(seven, *s, 1));       // no L
  EXPECT_FALSE(write_vp8_keyidx(seven, *s, 1));          // no K
  EXPECT_EQ(seven, test::parse_hex("81 a0 45 5f  aa"));
  EXPECT_FALSE(write_vp8_picture_id(std::span<std::uint8_t>(seven).first(2), *s, 1));
}

}  // namespace
}  // namespace rrtc::rtp
