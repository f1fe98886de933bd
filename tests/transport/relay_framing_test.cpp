// The room relay's framing: JSON text wrapping (checked with Boost.JSON) and the binary prefix.

#include "transport/relay_framing.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace rrtc::transport {
namespace {

using namespace std::string_view_literals;

TEST(RelayFraming, TextIsAJsonObjectWithFromAndData) {
  const auto wrapped = wrap_text("alice", "hi there");
  ASSERT_TRUE(wrapped.has_value());
  EXPECT_EQ(*wrapped, R"({"from":"alice","data":"hi there"})");
  EXPECT_EQ(wrapped->size(), wrapped_text_size("alice", "hi there"));
}

TEST(RelayFraming, EscapesRoundTripThroughAJsonParser) {
  const std::string_view cases[] = {
      "",
      "quote \" backslash \\ slash /",
      "newline\n tab\t cr\r backspace\b formfeed\f",
      "nul \0 bell \a esc \x1b del \x7f"sv,
      "unicode: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "</script><!-- \u2028 \u2029",
      R"({"from":"mallory","data":"forged"})",
  };
  for (const std::string_view text : cases) {
    const auto wrapped = wrap_text("p\"1\\", text);
    ASSERT_TRUE(wrapped.has_value()) << text;
    EXPECT_EQ(wrapped->size(), wrapped_text_size("p\"1\\", text));
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(*wrapped, ec);
    ASSERT_FALSE(ec) << *wrapped;
    const auto& object = value.as_object();
    EXPECT_EQ(object.size(), 2u);
    EXPECT_EQ(std::string_view(object.at("from").as_string()), "p\"1\\");
    EXPECT_EQ(std::string_view(object.at("data").as_string()), text);
  }
}

TEST(RelayFraming, InvalidUtf8IsRefused) {
  const std::string_view bad[] = {
      "\xff",
      "\xc3",
      "\xc0\xaf" /* overlong */,
      "\xed\xa0\x80" /* surrogate */,
      "\xf4\x90\x80\x80" /* above U+10FFFF */,
      "ok \xe2\x82",
  };
  for (const std::string_view text : bad) {
    EXPECT_FALSE(valid_utf8(text));
    EXPECT_FALSE(wrap_text("alice", text).has_value());
    EXPECT_FALSE(wrap_text(text, "hello").has_value());
  }
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(RelayFraming, BinaryCarriesTheSenderIdAsAPrefix) {
  const std::vector<std::uint8_t> payload = {0, 1, 2, 0xFF};
  const auto wrapped = wrap_binary("bob", payload);
  ASSERT_TRUE(wrapped.has_value());
  const std::vector<std::uint8_t> expected = {3, 'b', 'o', 'b', 0, 1, 2, 0xFF};
  EXPECT_EQ(*wrapped, expected);
  const auto unwrapped = unwrap_binary(*wrapped);
  ASSERT_TRUE(unwrapped.has_value());
  EXPECT_EQ(unwrapped->from, "bob");
  EXPECT_TRUE(
      std::equal(unwrapped->data.begin(), unwrapped->data.end(), payload.begin(), payload.end()));
}

TEST(RelayFraming, BinaryLimitsAndEdges) {
  EXPECT_EQ(wrap_binary("", {})->size(), 1u);
  const std::string longest(kMaxRelayIdLength, 'x');
  EXPECT_EQ(wrapped_binary_size(longest, 10), 1 + 255 + 10u);
  EXPECT_TRUE(wrap_binary(longest, {}).has_value());
  EXPECT_FALSE(wrap_binary(longest + "x", {}).has_value());
  EXPECT_FALSE(unwrap_binary({}).has_value());
  const std::vector<std::uint8_t> short_id = {5, 'a', 'b'};
  EXPECT_FALSE(unwrap_binary(short_id).has_value());
}

}  // namespace
}  // namespace rrtc::transport
