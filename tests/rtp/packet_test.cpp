#include "rtp/packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtp/hex_fixture.hpp"

namespace rrtc::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes fixture(const std::string& name) { return test::load_hex_fixture("rtp/" + name + ".hex"); }

TEST(RtpPacket, ParsesCapturedOpusWithAudioLevel) {
  Bytes bytes = fixture("opus_audio_level");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet) << to_string(packet.error());
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 96);
  EXPECT_EQ(packet->sequence_number(), 15198);
  EXPECT_EQ(packet->timestamp(), 2286699768u);
  EXPECT_EQ(packet->ssrc(), 0xfb6f0439u);
  EXPECT_EQ(packet->csrc_count(), 0u);
  EXPECT_EQ(packet->extension_profile(), kOneByteProfile);
  const auto mid = packet->extension(1);
  ASSERT_TRUE(mid);
  EXPECT_EQ(Bytes(mid->begin(), mid->end()), Bytes{'0'});
  const auto level = packet->extension(2);
  ASSERT_TRUE(level);
  EXPECT_EQ(Bytes(level->begin(), level->end()), Bytes{0x7f});
  EXPECT_FALSE(packet->extension(3));
  EXPECT_EQ(packet->header_size(), 20u);
  EXPECT_EQ(packet->payload().size(), 3u);
  EXPECT_EQ(packet->padding_size(), 0u);
}

TEST(RtpPacket, ParsesCapturedVideoPackets) {
  struct Case {
    const char* name;
    std::uint8_t pt;
    std::uint16_t seq;
    std::uint32_t ssrc;
    std::size_t payload;
  };
  const Case cases[] = {
      {"vp8_key_frame_start", 97, 53541, 0xaf356a62, 1300},
      {"vp8_delta_frame_start", 97, 53581, 0xaf356a62, 1300},
      {"vp8_rtx", 98, 22781, 0x751c2951, 1302},
      {"h264_stap_a", 99, 1791, 0x258cbce4, 668},
      {"h264_fu_a_idr_start", 99, 1792, 0x258cbce4, 1287},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes bytes = fixture(c.name);
    auto packet = Packet::parse(bytes);
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->payload_type(), c.pt);
    EXPECT_EQ(packet->sequence_number(), c.seq);
    EXPECT_EQ(packet->ssrc(), c.ssrc);
    EXPECT_EQ(packet->payload().size(), c.payload);
    const auto abs_send_time = packet->extension(3);
    ASSERT_TRUE(abs_send_time);
    EXPECT_EQ(abs_send_time->size(), 3u);
  }
}

TEST(RtpPacket, RtxPayloadStartsWithOriginalSequenceNumber) {
  Bytes bytes = fixture("vp8_rtx");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  const auto payload = packet->payload();
  // RFC 4588 section 4: OSN, then the original payload (here a VP8 descriptor, 0x80 0x80..).
  EXPECT_EQ((payload[0] << 8) | payload[1], 0xd14b);
  EXPECT_EQ(payload[2], 0x80);
}

struct Malformed {
  const char* name;
  const char* hex;
  ParseError error;
};

class RtpMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(RtpMalformed, IsRejectedWithItsError) {
  Bytes bytes = test::parse_hex(GetParam().hex);
  const auto packet = Packet::parse(bytes);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error(), GetParam().error) << to_string(packet.error());
}

INSTANTIATE_TEST_SUITE_P(
    Table, RtpMalformed,
    ::testing::Values(
        Malformed{"empty", "", ParseError::kTooShort},
        Malformed{"eleven_bytes", "80 60 00 01 00 00 00 02 00 00 00", ParseError::kTooShort},
        Malformed{"version_1", "40 60 00 01 00 00 00 02 00 00 00 03", ParseError::kBadVersion},
        Malformed{"version_0", "00 60 00 01 00 00 00 02 00 00 00 03", ParseError::kBadVersion},
        // CC = 2 but only one CSRC follows.
        Malformed{"csrc_past_end", "82 60 00 01 00 00 00 02 00 00 00 03 00 00 00 04",
                  ParseError::kCsrcPastEnd},
        // CC = 15 and nothing after the fixed header.
        Malformed{"csrc_15_no_list", "8f 60 00 01 00 00 00 02 00 00 00 03",
                  ParseError::kCsrcPastEnd},
        // X set, but the 4-byte extension header is cut.
        Malformed{"extension_header_cut", "90 60 00 01 00 00 00 02 00 00 00 03 be de",
                  ParseError::kExtensionPastEnd},
        // X set, length says 2 words, only 1 present.
        Malformed{"extension_words_past_end",
                  "90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 30 00 00",
                  ParseError::kExtensionPastEnd},
        // One-byte element id 2, L=3 (4 bytes) inside a 1-word block holding 3 after it.
        Malformed{"one_byte_element_truncated",
                  "90 60 00 01 00 00 00 02 00 00 00 03 be de 00 01 23 aa bb cc",
                  ParseError::kExtensionTruncated},
        // Two-byte element id 5 length 9 inside a 1-word block.
        Malformed{"two_byte_element_truncated",
                  "90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 01 05 09 aa bb",
                  ParseError::kExtensionTruncated},
        // Two-byte: a lone id byte at the end of the block (no length byte).
        Malformed{"two_byte_header_truncated",
                  "90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 01 01 00 00 07",
                  ParseError::kExtensionTruncated},
        // P set, padding count 9 but only 4 bytes after the header.
        Malformed{"padding_longer_than_packet", "a0 60 00 01 00 00 00 02 00 00 00 03 00 00 00 09",
                  ParseError::kBadPadding},
        Malformed{"padding_zero", "a0 60 00 01 00 00 00 02 00 00 00 03 aa 00",
                  ParseError::kBadPadding}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RtpPacket, PaddingIsExcludedFromPayload) {
  Bytes bytes = test::parse_hex("a0 60 00 01 00 00 00 02 00 00 00 03 aa bb 00 00 03");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->padding_size(), 3u);
  EXPECT_EQ(Bytes(packet->payload().begin(), packet->payload().end()), (Bytes{0xaa, 0xbb}));
}

TEST(RtpPacket, PaddingMayFillTheWholePayload) {
  Bytes bytes = test::parse_hex("a0 60 00 01 00 00 00 02 00 00 00 03 00 00 00 04");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload().empty());
}

TEST(RtpPacket, RefusesMoreThanADatagram) {
  Bytes bytes(70000, 0);
  bytes[0] = 0x80;
  const auto packet = Packet::parse(bytes);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error(), ParseError::kTooLong);
}

TEST(RtpPacket, ReadsCsrcs) {
  Bytes bytes = test::parse_hex("82 60 00 01 00 00 00 02 00 00 00 03 11 11 11 11 22 22 22 22 ff");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->csrc_count(), 2u);
  EXPECT_EQ(packet->csrc(0), 0x11111111u);
  EXPECT_EQ(packet->csrc(1), 0x22222222u);
  EXPECT_EQ(packet->header_size(), 20u);
}

TEST(RtpPacket, OneByteIdFifteenStopsExtensionParsing) {
  // Elements: id 1 (1 byte), then id 15, then bytes that would be a truncated element: RFC
  // 8285 says to stop at 15, so the packet parses and only id 1 is visible.
  Bytes bytes =
      test::parse_hex("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 aa f0 2f ff ff 00 00 99");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet) << to_string(packet.error());
  EXPECT_TRUE(packet->extension(1));
  EXPECT_FALSE(packet->extension(2));
  EXPECT_FALSE(packet->extension(15));
  ExtensionIdMap map{};
  map[1] = 15;  // 15 is not a usable one-byte id
  EXPECT_FALSE(packet->rewrite_extension_ids(map));
}

TEST(RtpPacket, TwoByteExtensionsIncludingEmptyValues) {
  // 0x1000 profile; id 200 len 0; padding byte; id 7 len 3.
  Bytes bytes =
      test::parse_hex("90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 02 c8 00 00 07 03 aa bb cc 55");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet) << to_string(packet.error());
  const auto empty = packet->extension(200);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  const auto seven = packet->extension(7);
  ASSERT_TRUE(seven);
  EXPECT_EQ(Bytes(seven->begin(), seven->end()), (Bytes{0xaa, 0xbb, 0xcc}));
  EXPECT_EQ(packet->payload().size(), 1u);
}

TEST(RtpPacket, UnknownExtensionProfileIsKeptOpaque) {
  Bytes bytes = test::parse_hex("90 60 00 01 00 00 00 02 00 00 00 03 ab cd 00 01 ff ff ff ff 01");
  auto packet = Packet::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->extension_profile(), 0xabcd);
  EXPECT_EQ(packet->extension_block().size(), 4u);
  EXPECT_FALSE(packet->extension(1));
  EXPECT_FALSE(packet->set_extension(1, Bytes{1}));
}

}  // namespace
}  // namespace rrtc::rtp
