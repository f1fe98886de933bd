#include "rtcp/pli.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(Pli, ParsesCapturedAiortcPli) {
  const Bytes bytes = test::fixture("pli_compound");
  const auto pli = test::parse_first<Pli>(bytes);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc, 0x6eca25c0u);
  EXPECT_EQ(pli->media_ssrc, 0xaf356a62u);
  EXPECT_EQ(test::serialize(*pli), bytes);
}

TEST(Pli, Malformed) {
  EXPECT_EQ(test::parse_first<Pli>(hex("81 ce 00 00")).error(), ParseError::kTooShort);
  EXPECT_EQ(test::parse_first<Pli>(hex("81 ce 00 01 00 00 00 01")).error(), ParseError::kTooShort);
  EXPECT_EQ(test::parse_first<Pli>(hex("81 ce 00 03 00 00 00 01 00 00 00 02 00 00 00 00")).error(),
            ParseError::kBadLength);
  // FMT 4 is FIR, not PLI.
  EXPECT_EQ(test::parse_first<Pli>(hex("84 ce 00 02 00 00 00 01 00 00 00 02")).error(),
            ParseError::kUnknownFormat);
}

}  // namespace
}  // namespace rrtc::rtcp
