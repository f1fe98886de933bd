#include <gtest/gtest.h>

#include <vector>

#include "rtp/hex_fixture.hpp"
#include "rtp/packet.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(RtpRewrite, FixedHeaderFieldsInPlace) {
  Bytes bytes = test::load_hex_fixture("rtp/vp8_key_frame_start.hex");
  const Bytes original = bytes;
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  packet->set_ssrc(0x01020304);
  EXPECT_TRUE(packet->set_payload_type(100));
  packet->set_sequence_number(65535);
  packet->set_timestamp(0xdeadbeef);
  packet->set_marker(true);
  EXPECT_FALSE(packet->set_payload_type(128));

  auto again = Packet::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ssrc(), 0x01020304u);
  EXPECT_EQ(again->payload_type(), 100);
  EXPECT_EQ(again->sequence_number(), 65535);
  EXPECT_EQ(again->timestamp(), 0xdeadbeefu);
  EXPECT_TRUE(again->marker());
  // Only the 12-byte fixed header changed.
  EXPECT_TRUE(std::equal(bytes.begin() + 12, bytes.end(), original.begin() + 12));
  EXPECT_EQ(bytes[0], original[0]);
}

TEST(RtpRewrite, MarkerOffKeepsPayloadType) {
  Bytes bytes = test::load_hex_fixture("rtp/opus_audio_level.hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  packet->set_marker(false);
  EXPECT_FALSE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 96);
}

TEST(RtpRewrite, ExtensionIdsThroughMap) {
  Bytes bytes = test::load_hex_fixture("rtp/opus_audio_level.hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  ExtensionIdMap map{};
  map[1] = 4;   // mid
  map[2] = 10;  // audio level
  ASSERT_TRUE(packet->rewrite_extension_ids(map));
  auto again = Packet::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->extension(1));
  EXPECT_FALSE(again->extension(2));
  ASSERT_TRUE(again->extension(4));
  EXPECT_EQ((*again->extension(4))[0], '0');
  ASSERT_TRUE(again->extension(10));
  EXPECT_EQ((*again->extension(10))[0], 0x7f);
}

TEST(RtpRewrite, ExtensionMappedToZeroIsRemoved) {
  Bytes bytes = test::load_hex_fixture("rtp/opus_audio_level.hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  ExtensionIdMap map{};
  map[2] = 2;  // keep audio level, drop mid
  ASSERT_TRUE(packet->rewrite_extension_ids(map));
  auto again = Packet::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->extension(1));
  ASSERT_TRUE(again->extension(2));
  EXPECT_EQ((*again->extension(2))[0], 0x7f);
}

TEST(RtpRewrite, RefusedMapLeavesPacketUntouched) {
  Bytes bytes = test::load_hex_fixture("rtp/opus_audio_level.hex");
  const Bytes original = bytes;
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  ExtensionIdMap collide{};
  collide[1] = 5;
  collide[2] = 5;
  EXPECT_FALSE(packet->rewrite_extension_ids(collide));
  ExtensionIdMap too_big{};
  too_big[1] = 3;
  too_big[2] = 20;  // one-byte form only has 1..14
  EXPECT_FALSE(packet->rewrite_extension_ids(too_big));
  EXPECT_EQ(bytes, original);
}

TEST(RtpRewrite, SetExtensionValue) {
  Bytes bytes = test::load_hex_fixture("rtp/vp8_key_frame_start.hex");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  const Bytes same_size{0x01, 0x02, 0x03};
  ASSERT_TRUE(packet->set_extension(3, same_size));
  auto abs = packet->extension(3);
  ASSERT_TRUE(abs);
  EXPECT_EQ(Bytes(abs->begin(), abs->end()), same_size);

  const Bytes longer{1, 2, 3, 4};
  EXPECT_FALSE(packet->set_extension(3, longer));     // larger than its slot
  EXPECT_FALSE(packet->set_extension(3, Bytes{}));    // one-byte form cannot say 0 bytes
  EXPECT_FALSE(packet->set_extension(9, same_size));  // absent

  const Bytes shorter{0xee};
  ASSERT_TRUE(packet->set_extension(3, shorter));
  auto again = Packet::parse(bytes);
  ASSERT_TRUE(again);
  abs = again->extension(3);
  ASSERT_TRUE(abs);
  EXPECT_EQ(Bytes(abs->begin(), abs->end()), shorter);
  EXPECT_TRUE(again->extension(1));  // the neighbour is intact
  EXPECT_EQ(again->payload().size(), 1300u);
}

TEST(RtpRewrite, SetTwoByteExtensionToEmpty) {
  Bytes bytes = test::parse_hex("90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 01 07 02 aa bb");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  ASSERT_TRUE(packet->set_extension(7, Bytes{}));
  auto again = Packet::parse(bytes);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->extension(7));
  EXPECT_TRUE(again->extension(7)->empty());
}

}  // namespace
}  // namespace rrtc::rtp
