#include "rtp/packet_builder.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/hex_fixture.hpp"
#include "rtp/packet.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(RtpPacketBuilder, ReproducesCapturedOpusPacketByteForByte) {
  const Bytes captured = test::load_hex_fixture("rtp/opus_audio_level.hex");
  const Bytes mid{'0'}, level{0x7f}, payload{0xfc, 0xff, 0xfe};
  PacketBuilder builder;
  builder.set_marker(true)
      .set_payload_type(96)
      .set_sequence_number(15198)
      .set_timestamp(2286699768u)
      .set_ssrc(0xfb6f0439)
      .set_payload(payload);
  ASSERT_TRUE(builder.add_extension(1, mid));
  ASSERT_TRUE(builder.add_extension(2, level));
  Bytes out(builder.serialized_size());
  ASSERT_EQ(builder.write_to(out), captured.size());
  EXPECT_EQ(out, captured);
}

TEST(RtpPacketBuilder, TwoByteFormCsrcsAndPaddingRoundTrip) {
  const Bytes big(20, 0x5a), empty, payload{1, 2, 3, 4, 5};
  PacketBuilder builder;
  builder.set_payload_type(111).set_sequence_number(7).set_timestamp(9).set_ssrc(0xabcdef01);
  builder.set_payload(payload).set_padding(3);
  ASSERT_TRUE(builder.add_csrc(0x11));
  ASSERT_TRUE(builder.add_csrc(0x22));
  ASSERT_TRUE(builder.add_extension(3, big));  // 20 bytes: needs the two-byte form
  ASSERT_TRUE(builder.add_extension(200, empty));
  Bytes out(builder.serialized_size());
  ASSERT_EQ(builder.write_to(out), out.size());

  auto packet = Packet::parse(out);
  ASSERT_TRUE(packet) << to_string(packet.error());
  EXPECT_EQ(packet->payload_type(), 111);
  EXPECT_EQ(packet->sequence_number(), 7);
  EXPECT_EQ(packet->timestamp(), 9u);
  EXPECT_EQ(packet->ssrc(), 0xabcdef01u);
  ASSERT_EQ(packet->csrc_count(), 2u);
  EXPECT_EQ(packet->csrc(1), 0x22u);
  EXPECT_TRUE(is_two_byte_profile(packet->extension_profile()));
  ASSERT_TRUE(packet->extension(3));
  EXPECT_EQ(Bytes(packet->extension(3)->begin(), packet->extension(3)->end()), big);
  ASSERT_TRUE(packet->extension(200));
  EXPECT_TRUE(packet->extension(200)->empty());
  EXPECT_EQ(packet->padding_size(), 3u);
  EXPECT_EQ(Bytes(packet->payload().begin(), packet->payload().end()), payload);
}

TEST(RtpPacketBuilder, RefusesWhatCannotBeWritten) {
  PacketBuilder builder;
  builder.set_payload_type(128);
  EXPECT_EQ(builder.serialized_size(), 0u);
  Bytes out(64);
  EXPECT_EQ(builder.write_to(out), 0u);

  PacketBuilder small;
  const Bytes payload(100, 1);
  small.set_payload(payload);
  Bytes tiny(50);
  EXPECT_EQ(small.write_to(tiny), 0u);

  const Bytes too_long(256, 0);
  EXPECT_FALSE(small.add_extension(1, too_long));
  EXPECT_FALSE(small.add_extension(0, payload));
  for (int i = 0; i < 15; ++i) EXPECT_TRUE(small.add_csrc(static_cast<std::uint32_t>(i)));
  EXPECT_FALSE(small.add_csrc(99));
}

TEST(RtpPacketBuilder, NoExtensionsMeansNoXBit) {
  PacketBuilder builder;
  builder.set_payload_type(0).set_ssrc(1);
  Bytes out(builder.serialized_size());
  ASSERT_EQ(out.size(), 12u);
  builder.write_to(out);
  EXPECT_EQ(out[0], 0x80);
  auto packet = Packet::parse(out);
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet->has_extension_block());
}

}  // namespace
}  // namespace rrtc::rtp
