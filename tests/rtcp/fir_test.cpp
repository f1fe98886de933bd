#include "rtcp/fir.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

// RFC 5104 section 4.3.1 by hand: sender 0x11223344, media 0, two entries.
constexpr const char* kFir =
    "84 ce 00 06 11 22 33 44 00 00 00 00 aa aa aa aa 07 00 00 00 bb bb bb bb ff 00 00 00";

TEST(Fir, ParsesEntries) {
  const Bytes bytes = hex(kFir);
  const auto fir = test::parse_first<Fir>(bytes);
  ASSERT_TRUE(fir) << to_string(fir.error());
  EXPECT_EQ(fir->sender_ssrc, 0x11223344u);
  EXPECT_EQ(fir->media_ssrc, 0u);
  ASSERT_EQ(fir->entries.size(), 2u);
  EXPECT_EQ(fir->entries[0], (FirEntry{0xaaaaaaaa, 7}));
  EXPECT_EQ(fir->entries[1], (FirEntry{0xbbbbbbbb, 255}));
  EXPECT_EQ(test::serialize(*fir), bytes);
}

TEST(Fir, BuildRoundTrip) {
  const FirEntry entries[] = {{0x01020304, 42}};
  Fir fir;
  fir.sender_ssrc = 9;
  fir.entries = entries;
  const Bytes bytes = test::serialize(fir);
  const auto parsed = test::parse_first<Fir>(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, fir);
  EXPECT_EQ(Fir{}.serialized_size(), 0u);  // at least one entry
}

TEST(Fir, Malformed) {
  EXPECT_EQ(test::parse_first<Fir>(hex("84 ce 00 02 00 00 00 01 00 00 00 00")).error(),
            ParseError::kTooShort);
  EXPECT_EQ(
      test::parse_first<Fir>(hex("84 ce 00 07 00 00 00 01 00 00 00 00 aa aa aa aa 07 00 00 00 "
                                 "00 00 00 00"))
          .error(),
      ParseError::kLengthPastEnd);
  EXPECT_EQ(
      test::parse_first<Fir>(hex("84 ce 00 05 00 00 00 01 00 00 00 00 aa aa aa aa 07 00 00 00 "
                                 "00 00 00 00"))
          .error(),
      ParseError::kBadLength);
}

}  // namespace
}  // namespace rrtc::rtcp
