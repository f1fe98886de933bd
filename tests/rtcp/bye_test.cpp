#include "rtcp/bye.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(Bye, ParsesCapturedAiortcBye) {
  const Bytes bytes = test::fixture("bye_compound");
  const auto bye = test::parse_first<Bye>(bytes);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrcs.size(), 1u);
  EXPECT_EQ(bye->ssrcs[0], 0xfb6f0439u);
  EXPECT_TRUE(bye->reason.empty());
  EXPECT_EQ(test::serialize(*bye), bytes);
}

TEST(Bye, WithReasonRoundTrip) {
  const std::uint32_t ssrcs[] = {1, 2};
  Bye bye;
  bye.ssrcs = ssrcs;
  bye.reason = "shutdown";
  const Bytes bytes = test::serialize(bye);
  ASSERT_EQ(bytes.size(), 4u + 8 + 12);  // 1 + 8 reason bytes padded to 12
  const auto parsed = test::parse_first<Bye>(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, bye);
}

TEST(Bye, EmptyByeIsHeaderOnly) {
  const Bytes bytes = hex("80 cb 00 00");
  const auto bye = test::parse_first<Bye>(bytes);
  ASSERT_TRUE(bye);
  EXPECT_TRUE(bye->ssrcs.empty());
}

TEST(Bye, Malformed) {
  // SC = 2, one SSRC present.
  EXPECT_EQ(test::parse_first<Bye>(hex("82 cb 00 01 00 00 00 01")).error(), ParseError::kBadCount);
  // Reason length 9 with 3 bytes left.
  EXPECT_EQ(test::parse_first<Bye>(hex("81 cb 00 02 00 00 00 01 09 61 62 63")).error(),
            ParseError::kBadItem);
}

}  // namespace
}  // namespace rrtc::rtcp
