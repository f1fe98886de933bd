#include "rtcp/receiver_report.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(ReceiverReport, ParsesCapturedSingleBlock) {
  const Bytes bytes = test::fixture("rr_compound");
  const auto rr = test::parse_first<ReceiverReport>(bytes);
  ASSERT_TRUE(rr) << to_string(rr.error());
  EXPECT_EQ(rr->sender_ssrc, 0x94853fc0u);
  ASSERT_EQ(rr->report_blocks.size(), 1u);
  const ReportBlock block = rr->report_blocks[0];
  EXPECT_EQ(block.ssrc, 0xfb6f0439u);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_seq, 0x3b81u);
  EXPECT_EQ(block.jitter, 0x3cu);
  EXPECT_EQ(block.last_sr, 0u);
}

TEST(ReceiverReport, ParsesCapturedTwoBlocksWithLoss) {
  const Bytes bytes = test::fixture("rr_two_blocks");
  const auto rr = test::parse_first<ReceiverReport>(bytes);
  ASSERT_TRUE(rr);
  ASSERT_EQ(rr->report_blocks.size(), 2u);
  EXPECT_EQ(rr->report_blocks[0].ssrc, 0xaf356a62u);
  EXPECT_EQ(rr->report_blocks[0].fraction_lost, 6);
  EXPECT_EQ(rr->report_blocks[0].cumulative_lost, 6);
  EXPECT_EQ(rr->report_blocks[1].ssrc, 0x751c2951u);  // the RTX stream
  // Re-serializing the parsed view reproduces the capture exactly.
  EXPECT_EQ(test::serialize(*rr), bytes);
}

TEST(ReceiverReport, BuildEmptyAndNegativeLoss) {
  ReceiverReport empty;
  empty.sender_ssrc = 7;
  EXPECT_EQ(test::serialize(empty), hex("80 c9 00 01 00 00 00 07"));

  const ReportBlock blocks[] = {{1, 0, -0x900000, 0, 0, 0, 0}};  // clamps to -2^23
  ReceiverReport rr;
  rr.report_blocks = blocks;
  const Bytes bytes = test::serialize(rr);
  const auto parsed = test::parse_first<ReceiverReport>(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->report_blocks[0].cumulative_lost, -0x800000);
}

TEST(ReceiverReport, Malformed) {
  EXPECT_EQ(test::parse_first<ReceiverReport>(hex("81 c9 00 00")).error(), ParseError::kTooShort);
  // RC = 2 with room for one block only.
  Bytes two_claimed = test::fixture("rr_compound");
  two_claimed[0] = 0x82;
  EXPECT_EQ(test::parse_first<ReceiverReport>(two_claimed).error(), ParseError::kBadCount);
  // Length past the end of the datagram.
  Bytes cut = test::fixture("rr_compound");
  cut.resize(20);
  EXPECT_EQ(test::parse_first<ReceiverReport>(cut).error(), ParseError::kLengthPastEnd);
}

}  // namespace
}  // namespace rrtc::rtcp
