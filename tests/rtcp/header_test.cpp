#include "rtcp/header.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(RtcpHeader, ReadsFieldsAndBody) {
  const Bytes bytes = test::fixture("pli_compound");
  const auto raw = parse_raw(bytes);
  ASSERT_TRUE(raw);
  EXPECT_FALSE(raw->header.padding);
  EXPECT_EQ(raw->header.count, 1);
  EXPECT_EQ(raw->header.type, 206);
  EXPECT_EQ(raw->header.length_words, 2);
  EXPECT_EQ(raw->bytes.size(), 12u);
  EXPECT_EQ(raw->body.size(), 8u);
}

TEST(RtcpHeader, PaddingIsStrippedFromBody) {
  const Bytes bytes = hex("a1 ce 00 03 00 00 00 01 00 00 00 02 00 00 00 04");
  const auto raw = parse_raw(bytes);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->body.size(), 8u);
  EXPECT_EQ(raw->bytes.size(), 16u);
}

TEST(RtcpHeader, MalformedHeaders) {
  struct Case {
    const char* name;
    const char* hex;
    ParseError error;
  };
  const Case cases[] = {
      {"empty", "", ParseError::kTooShort},
      {"three_bytes", "80 c9 00", ParseError::kTooShort},
      {"version_1", "40 c9 00 01 00 00 00 01", ParseError::kBadVersion},
      {"length_past_end", "81 c9 00 07 00 00 00 01", ParseError::kLengthPastEnd},
      {"length_ffff", "81 c9 ff ff 00 00 00 01", ParseError::kLengthPastEnd},
      {"padding_zero", "a0 c9 00 01 00 00 00 00", ParseError::kBadPadding},
      {"padding_longer_than_body", "a0 c9 00 01 00 00 00 09", ParseError::kBadPadding},
  };
  for (const Case& c : cases) {
    const Bytes bytes = hex(c.hex);
    const auto raw = parse_raw(bytes);
    ASSERT_FALSE(raw) << c.name;
    EXPECT_EQ(raw.error(), c.error) << c.name << ": " << to_string(raw.error());
  }
}

TEST(RtcpHeader, LengthZeroIsHeaderOnly) {
  const Bytes bytes = hex("80 cb 00 00");
  const auto raw = parse_raw(bytes);
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->body.empty());
}

}  // namespace
}  // namespace rrtc::rtcp
