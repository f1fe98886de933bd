// DCEP messages (RFC 8832 section 5): parse and write tables.

#include "sctp/dcep.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rrtc::sctp {
namespace {

std::vector<std::uint8_t> written(const DcepOpen& open) {
  std::vector<std::uint8_t> out(serialized_size(open));
  EXPECT_EQ(write_to(open, out), out.size());
  return out;
}

TEST(SctpDcep, OpenWireFormat) {
  DcepOpen open;
  open.parameters.ordered = false;
  open.parameters.reliability = Reliability::MaxRetransmits;
  open.parameters.reliability_parameter = 0x01020304;
  open.parameters.priority = 512;
  open.label = "chat";
  open.protocol = "x";
  const std::vector<std::uint8_t> expected = {
      0x03,                    // DATA_CHANNEL_OPEN
      0x81,                    // DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED
      0x02, 0x00,              // priority 512
      0x01, 0x02, 0x03, 0x04,  // reliability parameter
      0x00, 0x04,              // label length
      0x00, 0x01,              // protocol length
      'c',  'h',  'a',  't',  'x'};
  EXPECT_EQ(written(open), expected);
  const DcepParseResult parsed = parse_dcep(expected);
  ASSERT_TRUE(parsed.message.has_value());
  EXPECT_EQ(std::get<DcepOpen>(*parsed.message), open);
}

TEST(SctpDcep, ChannelTypes) {
  struct Case {
    std::uint8_t type;
    bool ordered;
    Reliability reliability;
  };
  const Case cases[] = {
      {0x00, true, Reliability::Reliable},          {0x80, false, Reliability::Reliable},
      {0x01, true, Reliability::MaxRetransmits},    {0x81, false, Reliability::MaxRetransmits},
      {0x02, true, Reliability::MaxPacketLifetime}, {0x82, false, Reliability::MaxPacketLifetime},
  };
  for (const Case& c : cases) {
    const std::vector<std::uint8_t> bytes = {0x03, c.type, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0};
    const DcepParseResult parsed = parse_dcep(bytes);
    ASSERT_TRUE(parsed.message.has_value()) << int{c.type};
    const auto& open = std::get<DcepOpen>(*parsed.message);
    EXPECT_EQ(open.parameters.ordered, c.ordered);
    EXPECT_EQ(open.parameters.reliability, c.reliability);
    // A reliable channel's parameter is ignored (and normalised to 0).
    EXPECT_EQ(open.parameters.reliability_parameter,
              c.reliability == Reliability::Reliable ? 0u : 9u);
    std::vector<std::uint8_t> again(serialized_size(open));
    write_to(open, again);
    EXPECT_EQ(again[1], c.type);
  }
}

TEST(SctpDcep, Ack) {
  const std::vector<std::uint8_t> ack = {0x02};
  const DcepParseResult parsed = parse_dcep(ack);
  ASSERT_TRUE(parsed.message.has_value());
  EXPECT_TRUE(std::holds_alternative<DcepAck>(*parsed.message));
  std::uint8_t out[1] = {};
  EXPECT_EQ(write_to(DcepAck{}, out), 1u);
  EXPECT_EQ(out[0], 0x02);
}

TEST(SctpDcep, MalformedMessagesAreRefused) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    DcepError error;
  };
  const std::vector<Case> cases = {
      {{}, DcepError::Empty},
      {{0x02, 0x00}, DcepError::TrailingBytes},
      {{0x04}, DcepError::UnknownMessageType},
      {{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0}, DcepError::Truncated},
      {{0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, DcepError::UnknownChannelType},
      {{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 'a'}, DcepError::Truncated},
      {{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 'a'}, DcepError::Truncated},
      {{0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 'a', 'b'}, DcepError::TrailingBytes},
      {{0x03, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0}, DcepError::Truncated},
  };
  for (const Case& c : cases) {
    const DcepParseResult parsed = parse_dcep(c.bytes);
    EXPECT_FALSE(parsed.message.has_value());
    EXPECT_EQ(parsed.error, c.error) << to_string(parsed.error);
  }
}

TEST(SctpDcep, WriterRefusesSmallBuffers) {
  DcepOpen open;
  open.label = "label";
  std::vector<std::uint8_t> small(serialized_size(open) - 1);
  EXPECT_EQ(write_to(open, small), 0u);
  EXPECT_EQ(write_to(DcepAck{}, std::span<std::uint8_t>{}), 0u);
}

}  // namespace
}  // namespace rrtc::sctp
