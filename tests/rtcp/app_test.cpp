#include "rtcp/app.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

// RFC 3550 section 6.7, written by hand: subtype 3, SSRC 0x12345678, name "TEST", 4 bytes.
constexpr const char* kApp = "83 cc 00 03 12 34 56 78 54 45 53 54 de ad be ef";

TEST(App, ParsedAndPassedThrough) {
  const Bytes bytes = hex(kApp);
  const auto app = test::parse_first<App>(bytes);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->subtype, 3);
  EXPECT_EQ(app->ssrc, 0x12345678u);
  EXPECT_EQ(app->name, (std::array<std::uint8_t, 4>{'T', 'E', 'S', 'T'}));
  EXPECT_EQ(Bytes(app->data.begin(), app->data.end()), hex("de ad be ef"));
  EXPECT_EQ(test::serialize(*app), bytes);
}

TEST(App, BuildRefusesUnalignedData) {
  const Bytes data{1, 2, 3};
  App app;
  app.data = data;
  EXPECT_EQ(app.serialized_size(), 0u);
  app.subtype = 32;
  app.data = {};
  EXPECT_EQ(app.serialized_size(), 0u);
}

TEST(App, Malformed) {
  EXPECT_EQ(test::parse_first<App>(hex("80 cc 00 01 12 34 56 78")).error(), ParseError::kTooShort);
  EXPECT_EQ(test::parse_first<App>(hex("80 cc 00 00")).error(), ParseError::kTooShort);
}

}  // namespace
}  // namespace rrtc::rtcp
