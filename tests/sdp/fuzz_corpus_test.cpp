// Replays the committed fuzz seeds (fixtures, hand-written edge cases and any crash inputs
// committed as regression seeds) through the checks of fuzz/sdp/sdp_parse_fuzzer.cpp.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sdp/candidate.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::sdp {
namespace {

TEST(FuzzCorpus, EverySeedParsesBackEqualOrFailsCleanly) {
  const std::filesystem::path dir = std::filesystem::path(RRTC_SOURCE_DIR) / "fuzz/corpus/sdp_parse";
  ParseLimits roomy;
  roomy.max_size *= 4;
  roomy.max_line_length = roomy.max_size;
  std::size_t seeds = 0;
  std::size_t parsed_ok = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    ++seeds;
    if (auto candidate = parse_candidate(text.str())) {
      auto again = parse_candidate(to_string(*candidate));
      ASSERT_TRUE(again);
      EXPECT_EQ(*again, *candidate);
      ++parsed_ok;
      continue;
    }
    auto parsed = parse(text.str());
    if (!parsed) {
      EXPECT_FALSE(parsed.error().message().empty());
      continue;
    }
    ++parsed_ok;
    auto again = parse(serialize(*parsed), roomy);
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, *parsed);
  }
  EXPECT_GE(seeds, 10u);
  EXPECT_GE(parsed_ok, 10u);
}

}  // namespace
}  // namespace rrtc::sdp
