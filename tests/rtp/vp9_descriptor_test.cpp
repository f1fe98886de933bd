#include "rtp/vp9_descriptor.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/hex_fixture.hpp"
#include "rtp/keyframe.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A non-flexible key frame carrying the scalability structure: 3 spatial layers with sizes, one
// picture group entry with one reference.
constexpr const char* kKeyWithSs =
    "ae"                                     // I L B E V
    "81 23"                                  // M, picture id 0x0123
    "00"                                     // TID 0 U 0 SID 0 D 0
    "07"                                     // TL0PICIDX
    "58"                                     // N_S=2 (3 layers) Y G
    "01 40 00 b4  02 80 01 68  05 00 02 d0"  // 320x180 640x360 1280x720
    "01  04 01"                              // N_G=1: TID 0 U 0 R=1, P_DIFF 1
    "80 49 83 42";  // uncompressed header: frame_marker 2, profile 0, KEY_FRAME

TEST(Vp9Descriptor, KeyFrameWithScalabilityStructure) {
  const Bytes payload = test::parse_hex(kKeyWithSs);
  const auto d = parse_vp9_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->flexible);
  EXPECT_TRUE(d->begin_of_frame);
  EXPECT_TRUE(d->end_of_frame);
  EXPECT_EQ(*d->picture_id, 0x0123);
  EXPECT_TRUE(d->picture_id_15bit);
  EXPECT_EQ(d->picture_id_offset, 1u);
  EXPECT_TRUE(d->layer_indices);
  EXPECT_EQ(d->tid, 0);
  EXPECT_EQ(d->sid, 0);
  EXPECT_EQ(*d->tl0picidx, 7);
  EXPECT_EQ(d->tl0picidx_offset, 4u);
  EXPECT_EQ(d->spatial_layers, 3);
  EXPECT_TRUE(d->has_resolutions);
  EXPECT_EQ(d->width[0], 320);
  EXPECT_EQ(d->height[0], 180);
  EXPECT_EQ(d->width[1], 640);
  EXPECT_EQ(d->height[1], 360);
  EXPECT_EQ(d->width[2], 1280);
  EXPECT_EQ(d->height[2], 720);
  EXPECT_EQ(d->header_size, 21u);
  EXPECT_TRUE(d->keyframe);
  EXPECT_TRUE(is_vp9_keyframe(payload));
}

TEST(Vp9Descriptor, FlexibleModeDeltaFrameWithReferences) {
  // I P L F B | 7-bit picture id 0x35 | TID 2 U SID 1 D | P_DIFF 1 (N) P_DIFF 2 | frame
  const Bytes payload = test::parse_hex("f8 35 53 03 04  86 00");
  const auto d = parse_vp9_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->flexible);
  EXPECT_TRUE(d->inter_picture_predicted);
  EXPECT_EQ(*d->picture_id, 0x35);
  EXPECT_FALSE(d->picture_id_15bit);
  EXPECT_EQ(d->tid, 2);
  EXPECT_TRUE(d->switching_up);
  EXPECT_EQ(d->sid, 1);
  EXPECT_TRUE(d->inter_layer_dependency);
  EXPECT_FALSE(d->tl0picidx);
  EXPECT_EQ(d->spatial_layers, 0);
  EXPECT_EQ(d->header_size, 5u);
  EXPECT_FALSE(d->keyframe);
}

TEST(Vp9Descriptor, KeyFrameAnswerMatchesTheProbe) {
  struct Case {
    const char* hex;
    bool key;
  };
  for (const Case& c : {Case{"08", true},              // B, the descriptor alone
                        Case{"08 82", true},           // KEY_FRAME
                        Case{"08 84", false},          // NON_KEY_FRAME
                        Case{"08 88", false},          // show_existing_frame
                        Case{"48 82", false},          // P
                        Case{"00 82", false},          // not the beginning of a frame
                        Case{"28 02 00 82", false},    // spatial layer 1
                        Case{"28 00 00 82", true}}) {  // spatial layer 0
    const Bytes payload = test::parse_hex(c.hex);
    const auto d = parse_vp9_descriptor(payload);
    ASSERT_TRUE(d) << c.hex;
    EXPECT_EQ(d->keyframe, c.key) << c.hex;
    EXPECT_EQ(is_vp9_keyframe(payload), c.key) << c.hex;
  }
}

TEST(Vp9Descriptor, TruncatedOrOverlongDescriptorsAreRefused) {
  for (const char* hex : {"", "80", "80 80", "a0", "20 00", "02", "02 10 00 00 00", "02 08",
                          "02 08 01", "02 08 01 04", "f8 35 53 03 05 07 08", "f8 35 53 03"}) {
    EXPECT_FALSE(parse_vp9_descriptor(test::parse_hex(hex))) << '"' << hex << '"';
  }
}

TEST(Vp9Descriptor, RewritesPictureIdAndTl0PicIdxInPlace) {
  Bytes payload = test::parse_hex(kKeyWithSs);
  const auto d = parse_vp9_descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(write_vp9_picture_id(payload, *d, 0x7abc));
  EXPECT_TRUE(write_vp9_tl0picidx(payload, *d, 0x99));
  Bytes expected = test::parse_hex(kKeyWithSs);
  expected[1] = 0xfa;
  expected[2] = 0xbc;
  expected[4] = 0x99;
  EXPECT_EQ(payload, expected);
  Bytes flexible = test::parse_hex("f8 35 53 03 04  86 00");
  const auto f = parse_vp9_descriptor(flexible);
  EXPECT_TRUE(write_vp9_picture_id(flexible, *f, 0x1c7));  // low 7 bits: 0x47
  EXPECT_FALSE(write_vp9_tl0picidx(flexible, *f, 1));
  EXPECT_EQ(flexible[1], 0x47);
}

}  // namespace
}  // namespace rrtc::rtp
