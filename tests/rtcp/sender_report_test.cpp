#include "rtcp/sender_report.hpp"

#include <gtest/gtest.h>

#include "rtcp_test_util.hpp"

namespace rrtc::rtcp {
namespace {

using test::Bytes;
using test::hex;

TEST(SenderReport, ParsesCapturedAiortcReport) {
  const Bytes bytes = test::fixture("sr_compound");
  const auto sr = test::parse_first<SenderReport>(bytes);
  ASSERT_TRUE(sr) << to_string(sr.error());
  EXPECT_EQ(sr->sender_ssrc, 0xaf356a62u);
  EXPECT_EQ(sr->ntp_timestamp, 0xeeb0a3ee8a353f7cull);
  EXPECT_EQ(sr->rtp_timestamp, 0x6286169cu);
  EXPECT_EQ(sr->packet_count, 264u);
  EXPECT_EQ(sr->octet_count, 0x50c7du);
  EXPECT_TRUE(sr->report_blocks.empty());
  EXPECT_TRUE(sr->extension.empty());
}

TEST(SenderReport, BuildWithBlocksAndReparse) {
  const ReportBlock blocks[] = {
      {0x11111111, 25, -3, 70000, 42, 0xaabbccdd, 65536},
      {0x22222222, 255, 0x7FFFFF, 1, 0, 0, 0},
  };
  SenderReport sr;
  sr.sender_ssrc = 0x01020304;
  sr.ntp_timestamp = 0x0102030405060708;
  sr.rtp_timestamp = 90000;
  sr.packet_count = 10;
  sr.octet_count = 12000;
  sr.report_blocks = blocks;
  const Bytes bytes = test::serialize(sr);
  ASSERT_EQ(bytes.size(), 4u + 24 + 48);
  EXPECT_EQ(bytes[0], 0x82);  // RC = 2
  const auto parsed = test::parse_first<SenderReport>(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, sr);
  EXPECT_EQ(parsed->report_blocks[0].cumulative_lost, -3);
}

TEST(SenderReport, Malformed) {
  // Length 0: no room for the sender info.
  EXPECT_EQ(test::parse_first<SenderReport>(hex("80 c8 00 00")).error(), ParseError::kTooShort);
  // RC = 1 but no report block after the sender info.
  EXPECT_EQ(test::parse_first<SenderReport>(hex("81 c8 00 06 00 00 00 01 00 00 00 00 00 00 00 00 "
                                                "00 00 00 00 00 00 00 00 00 00 00 00"))
                .error(),
            ParseError::kBadCount);
  // Not an SR at all.
  EXPECT_EQ(test::parse_first<SenderReport>(test::fixture("rr_compound")).error(),
            ParseError::kUnknownFormat);
}

TEST(SenderReport, RefusesTooManyBlocks) {
  const std::vector<ReportBlock> blocks(32);
  SenderReport sr;
  sr.report_blocks = WireList<ReportBlock>(blocks);
  EXPECT_EQ(sr.serialized_size(), 0u);
}

}  // namespace
}  // namespace rrtc::rtcp
