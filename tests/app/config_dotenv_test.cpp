// .env syntax: quoting, comments, export, and malformed lines.

#include <gtest/gtest.h>

#include "app/config_env.hpp"

namespace rrtc::app::test {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_dotenv(text, "/w/.env");
  } catch (const ConfigException& e) {
    return e.error().to_string();
  }
  return "no error";
}

TEST(Dotenv, ParsesValuesQuotesAndComments) {
  struct Case {
    std::string line;
    std::string value;
  };
  const std::vector<Case> cases{
      {"A=plain", "plain"},
      {"A = spaced out  ", "spaced out"},
      {"A=", ""},
      {"A=value # comment", "value"},
      {"A=a#b", "a#b"},
      {"A=#b", "#b"},
      {"A=   # only a comment", ""},
      {"export A=exported", "exported"},
      {"A=\"double quoted # not a comment\"", "double quoted # not a comment"},
      {"A=\"esc \\\"q\\\" \\\\ \\n\\t\\r\"", "esc \"q\" \\ \n\t\r"},
      {"A=\"x\" # trailing comment", "x"},
      {"A='single $HOME \\n \"q\"'", "single $HOME \\n \"q\""},
      {"A=''", ""},
      {"A=x=y", "x=y"},
      {"A=value\r", "value"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto entries = parse_dotenv(c.line + "\n", "/w/.env");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0], (DotenvEntry{"A", c.value, 1}));
  }
}

TEST(Dotenv, SkipsBlankLinesAndCommentsAndCountsLines) {
  auto entries = parse_dotenv("# header\n\n   \nA=1\n  # indented comment\nB_2=2", "/w/.env");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], (DotenvEntry{"A", "1", 4}));
  EXPECT_EQ(entries[1], (DotenvEntry{"B_2", "2", 6}));
  EXPECT_TRUE(parse_dotenv("", "/w/.env").empty());
}

TEST(Dotenv, MalformedLinesNameFileAndLine) {
  EXPECT_EQ(error_of("A=1\nno equals sign\n"),
            "/w/.env:2: expected NAME=value, got \"no equals sign\"");
  EXPECT_EQ(error_of("1A=x"), "/w/.env:1: expected NAME=value, got \"1A=x\"");
  EXPECT_EQ(error_of("A-B=x"), "/w/.env:1: expected NAME=value, got \"A-B=x\"");
  EXPECT_EQ(error_of("=x"), "/w/.env:1: expected NAME=value, got \"=x\"");
  EXPECT_EQ(error_of("A=\"open"), "/w/.env:1: A: unterminated double-quoted value");
  EXPECT_EQ(error_of("\n\nA='open"), "/w/.env:3: A: unterminated single-quoted value");
  EXPECT_EQ(error_of("A=\"x\"y"), "/w/.env:1: A: unexpected text after the closing quote");
  EXPECT_EQ(error_of("A='x' y"), "/w/.env:1: A: unexpected text after the closing quote");
}

}  // namespace
}  // namespace rrtc::app::test
