#include "rtcp/remb.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(Remb, ParsesCapturedAiortcRemb) {
  const Bytes bytes = test::fixture("remb_compound");
  const auto remb = test::parse_first<Remb>(bytes);
  ASSERT_TRUE(remb) << to_string(remb.error());
  EXPECT_EQ(remb->sender_ssrc, 0x6eca25c0u);
  EXPECT_EQ(remb->media_ssrc, 0u);
  EXPECT_EQ(remb->bitrate_bps, 0x20286ull << 4);  // exp 4, mantissa 0x20286
  ASSERT_EQ(remb->ssrcs.size(), 2u);
  EXPECT_EQ(remb->ssrcs[0], 0xaf356a62u);
  EXPECT_EQ(remb->ssrcs[1], 0x751c2951u);
  EXPECT_EQ(test::serialize(*remb), bytes);
}

TEST(Remb, BitrateEncoding) {
  struct Case {
    std::uint64_t in;
    std::uint64_t out;
  };
  const Case cases[] = {
      {0, 0},
      {262143, 262143},        // largest exponent-0 mantissa
      {262144, 262144},        // exp 1, exact
      {1'000'001, 1'000'000},  // rounded down to 18 significant bits
      {(1ull << 63) + 12345, 1ull << 63},
      {~0ull, 0x3FFFFull << 46},
  };
  for (const Case& c : cases) {
    const std::uint32_t ssrcs[] = {5};
    Remb remb;
    remb.bitrate_bps = c.in;
    remb.ssrcs = ssrcs;
    const Bytes bytes = test::serialize(remb);
    const auto parsed = test::parse_first<Remb>(bytes);
    ASSERT_TRUE(parsed) << c.in;
    EXPECT_EQ(parsed->bitrate_bps, c.out) << c.in;
  }
}

TEST(Remb, Malformed) {
  // Num SSRC = 3, two present.
  Bytes three = test::fixture("remb_compound");
  three[16] = 3;
  EXPECT_EQ(test::parse_first<Remb>(three).error(), ParseError::kBadCount);
  // Not "REMB": another application-layer feedback.
  Bytes other = test::fixture("remb_compound");
  other[12] = 'X';
  EXPECT_EQ(test::parse_first<Remb>(other).error(), ParseError::kUnknownFormat);
  // Exponent 63 with a large mantissa overflows 64 bits.
  EXPECT_EQ(
      test::parse_first<Remb>(hex("8f ce 00 04 00 00 00 01 00 00 00 00 52 45 4d 42 00 ff ff ff"))
          .error(),
      ParseError::kBadItem);
  EXPECT_EQ(test::parse_first<Remb>(hex("8f ce 00 03 00 00 00 01 00 00 00 00 52 45 4d 42")).error(),
            ParseError::kUnknownFormat);  // too short to be REMB
}

}  // namespace
}  // namespace rrtc::rtcp
