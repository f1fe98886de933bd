#include "rtcp/nack.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

std::vector<std::uint16_t> lost_of(const Nack& nack) {
  std::vector<std::uint16_t> lost;
  nack.for_each_lost([&](std::uint16_t seq) { lost.push_back(seq); });
  return lost;
}

TEST(Nack, ParsesCapturedAiortcNack) {
  const Bytes bytes = test::fixture("nack_compound");
  const auto nack = test::parse_first<Nack>(bytes);
  ASSERT_TRUE(nack) << to_string(nack.error());
  EXPECT_EQ(nack->sender_ssrc, 0x6eca25c0u);
  EXPECT_EQ(nack->media_ssrc, 0xaf356a62u);
  ASSERT_EQ(nack->items.size(), 1u);
  EXPECT_EQ(lost_of(*nack), std::vector<std::uint16_t>{0xd14b});
  EXPECT_EQ(test::serialize(*nack), bytes);
}

TEST(Nack, BitmaskExpandsAcrossWrap) {
  const NackItem items[] = {{65534, 0b1000'0000'0000'0101}};
  Nack nack;
  nack.sender_ssrc = 1;
  nack.media_ssrc = 2;
  nack.items = items;
  // Bits 0, 2 and 15: PID+1, PID+3, PID+16.
  EXPECT_EQ(lost_of(nack), (std::vector<std::uint16_t>{65534, 65535, 1, 14}));
  const Bytes bytes = test::serialize(nack);
  const auto parsed = test::parse_first<Nack>(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, nack);
}

TEST(Nack, PacksLostSequenceNumbers) {
  const std::uint16_t lost[] = {100, 101, 105, 116, 117, 200, 65535, 0};
  NackItem items[8];
  const std::size_t n = pack_nack_items(lost, items);
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(items[0], (NackItem{100, 0b1000'0000'0001'0001}));  // 101, 105, 116
  EXPECT_EQ(items[1], (NackItem{117, 0}));                      // 117 is 17 past 100
  EXPECT_EQ(items[2], (NackItem{200, 0}));
  EXPECT_EQ(items[3], (NackItem{65535, 0b1}));  // 0 follows 65535
  NackItem tail[2];
  const std::uint16_t wrap[] = {65535, 0, 3};
  ASSERT_EQ(pack_nack_items(wrap, tail), 1u);
  EXPECT_EQ(tail[0], (NackItem{65535, 0b1001}));
  NackItem one[1];
  EXPECT_EQ(pack_nack_items(lost, one), 1u);  // stops when the output is full
}

TEST(Nack, Malformed) {
  // No FCI at all.
  EXPECT_EQ(test::parse_first<Nack>(hex("81 cd 00 02 00 00 00 01 00 00 00 02")).error(),
            ParseError::kTooShort);
  // Length 0.
  EXPECT_EQ(test::parse_first<Nack>(hex("81 cd 00 00")).error(), ParseError::kTooShort);
  // FCI not a multiple of 4 bytes (the padding bit trims 2 of its 8).
  EXPECT_EQ(
      test::parse_first<Nack>(hex("a1 cd 00 04 00 00 00 01 00 00 00 02 00 05 00 02 aa bb 00 02"))
          .error(),
      ParseError::kBadLength);
  Nack empty;
  EXPECT_EQ(empty.serialized_size(), 0u);
}

}  // namespace
}  // namespace rrtc::rtcp
