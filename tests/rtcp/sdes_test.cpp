#include "rtcp/sdes.hpp"

#include <gtest/gtest.h>

#include "rtcp/compound.hpp"
#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

Bytes sdes_part_of_captured_compound() {
  const Bytes compound = test::fixture("sr_compound");
  return Bytes(compound.begin() + 28, compound.end());  // after the 28-byte SR
}

TEST(Sdes, ParsesCapturedCname) {
  const Bytes bytes = sdes_part_of_captured_compound();
  const auto sdes = test::parse_first<Sdes>(bytes);
  ASSERT_TRUE(sdes) << to_string(sdes.error());
  EXPECT_EQ(sdes->cname(0xaf356a62), "cffcc8a7-81b1-4d8d-8b2c-2555406422ba");
  EXPECT_FALSE(sdes->cname(1));
  auto cursor = sdes->entries();
  const auto first = cursor.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, static_cast<std::uint8_t>(SdesType::kCname));
  EXPECT_FALSE(cursor.next());
  EXPECT_EQ(test::serialize(*sdes), bytes);
}

TEST(Sdes, BuildsChunksFromEntries) {
  const SdesEntry entries[] = {
      {0x11, 1, "alice"},
      {0x11, 6, "rrtc"},
      {0x22, 1, "bob"},
      {0x33, 0, ""},  // a chunk without items
  };
  const Sdes sdes(entries);
  const Bytes bytes = test::serialize(sdes);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes[0], 0x83);  // SC = 3
  EXPECT_EQ(bytes.size() % 4, 0u);
  const auto parsed = test::parse_first<Sdes>(bytes);
  ASSERT_TRUE(parsed) << to_string(parsed.error());
  EXPECT_EQ(*parsed, sdes);
  EXPECT_EQ(parsed->cname(0x22), "bob");
}

TEST(Sdes, ReproducesCapturedBytes) {
  const SdesEntry entries[] = {{0xaf356a62, 1, "cffcc8a7-81b1-4d8d-8b2c-2555406422ba"}};
  EXPECT_EQ(test::serialize(Sdes(entries)), sdes_part_of_captured_compound());
}

TEST(Sdes, Malformed) {
  struct Case {
    const char* name;
    const char* hex;
  };
  const Case cases[] = {
      // SC = 1 but the body is empty.
      {"chunk_missing", "81 ca 00 00"},
      // Item length 10 runs past the body.
      {"item_past_end", "81 ca 00 02 00 00 00 01 01 0a 61 62"},
      // No terminating null octet.
      {"no_terminator", "81 ca 00 02 00 00 00 01 01 02 61 62"},
      // SC = 2, only one chunk.
      {"count_past_end", "82 ca 00 02 00 00 00 01 01 01 61 00"},
  };
  for (const Case& c : cases) {
    const auto sdes = test::parse_first<Sdes>(hex(c.hex));
    ASSERT_FALSE(sdes) << c.name;
    EXPECT_EQ(sdes.error(), ParseError::kBadItem) << c.name;
  }
}

TEST(Sdes, RefusesOverlongText) {
  const std::string long_text(256, 'x');
  const SdesEntry entries[] = {{1, 1, long_text}};
  EXPECT_EQ(Sdes(entries).serialized_size(), 0u);
}

}  // namespace
}  // namespace rrtc::rtcp
