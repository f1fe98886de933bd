#include "rtp/seq_unwrapper.hpp"

#include <gtest/gtest.h>

namespace rrtc::rtp {
namespace {

TEST(SeqUnwrapper, CountsUpAcrossWrapAround) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  for (int i = 0; i < 3 * 65536; i += 1000) u.unwrap(static_cast<std::uint16_t>(1 + i));
  EXPECT_GT(*u.last(), 3 * 65536 - 1000);
}

TEST(SeqUnwrapper, ReorderingGoesBackwards) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(2), 2);
  EXPECT_EQ(u.unwrap(65535), -1);  // arrived late, from before the first
  EXPECT_EQ(u.unwrap(3), 3);
  EXPECT_EQ(u.unwrap(0), 0);
}

TEST(SeqUnwrapper, PeekDoesNotRemember) {
  SeqUnwrapper u;
  u.unwrap(65535);
  EXPECT_EQ(u.peek(0), 65536);
  EXPECT_EQ(u.peek(0), 65536);
  EXPECT_EQ(*u.last(), 65535);
}

TEST(TimestampUnwrapper, WrapsAt32Bits) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xFFFFFF00u), 0xFFFFFF00LL);
  EXPECT_EQ(u.unwrap(0x00000100u), 0x100000100LL);
  EXPECT_EQ(u.unwrap(0xFFFFFFF0u), 0xFFFFFFF0LL);
}

}  // namespace
}  // namespace rrtc::rtp
