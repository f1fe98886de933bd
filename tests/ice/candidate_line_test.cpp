#include "ice/candidate_line.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rrtc::ice {
namespace {

TEST(CandidateLine, ParsesHostCandidateWithAndWithoutPrefix) {
  for (std::string text : {"candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ host",
                           "a=candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ host"}) {
    std::optional<CandidateLine> line = parse_candidate_line(text);
    ASSERT_TRUE(line) << text;
    EXPECT_EQ(line->foundation, "1");
    EXPECT_EQ(line->component, 1u);
    EXPECT_EQ(line->transport, "UDP");
    EXPECT_EQ(line->priority, 2015363327u);
    EXPECT_EQ(line->address, "127.0.0.1");
    EXPECT_EQ(line->port, 45678);
    EXPECT_EQ(line->type, "host");
  }
}

TEST(CandidateLine, ParsesRelayWithRelatedAddressAndExtensions) {
  std::optional<CandidateLine> line = parse_candidate_line(
      "candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ relay raddr 0.0.0.0 rport 0 "
      "generation 0 ufrag abcd network-cost 999");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->type, "relay");
  EXPECT_EQ(line->port, 61234);
}

TEST(CandidateLine, RejectsGarbageWithAClearError) {
  struct Case {
    std::string text;
    CandidateLineError error;
  };
  const Case cases[] = {
      {"", CandidateLineError::Empty},
      {"a=", CandidateLineError::Empty},
      {std::string(600, 'x'), CandidateLineError::TooLong},
      {"candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", CandidateLineError::BadCharacter},
      {std::string("candidate:1 1 udp 1 127.0.0.1 9 typ h\0st", 40),
       CandidateLineError::BadCharacter},
      {"candidat:1 1 udp 1 127.0.0.1 9 typ host", CandidateLineError::NoPrefix},
      {"hello world", CandidateLineError::NoPrefix},
      {"candidate:1 1 udp 1 127.0.0.1 9 typ", CandidateLineError::MissingField},
      {"candidate:", CandidateLineError::MissingField},
      {"candidate:1-2 1 udp 1 127.0.0.1 9 typ host", CandidateLineError::BadFoundation},
      {"candidate:" + std::string(33, 'a') + " 1 udp 1 127.0.0.1 9 typ host",
       CandidateLineError::BadFoundation},
      {"candidate:1 0 udp 1 127.0.0.1 9 typ host", CandidateLineError::BadComponent},
      {"candidate:1 x udp 1 127.0.0.1 9 typ host", CandidateLineError::BadComponent},
      {"candidate:1 1 sctp 1 127.0.0.1 9 typ host", CandidateLineError::BadTransport},
      {"candidate:1 1 udp 99999999999 127.0.0.1 9 typ host", CandidateLineError::BadPriority},
      {"candidate:1 1 udp -1 127.0.0.1 9 typ host", CandidateLineError::BadPriority},
      {"candidate:1 1 udp 1 127.0.0.1 65536 typ host", CandidateLineError::BadPort},
      {"candidate:1 1 udp 1 127.0.0.1 9x typ host", CandidateLineError::BadPort},
      {"candidate:1 1 udp 1 127.0.0.1 9 type host", CandidateLineError::BadType},
      {"candidate:1 1 udp 1 127.0.0.1 9 typ magic", CandidateLineError::BadType},
  };
  for (const Case& c : cases) {
    CandidateLineError error = CandidateLineError::None;
    EXPECT_FALSE(parse_candidate_line(c.text, &error)) << c.text;
    EXPECT_EQ(error, c.error) << c.text << " gave " << to_string(error);
  }
}

TEST(CandidateLine, StripsOnlyTheAttributePrefix) {
  EXPECT_EQ(strip_attribute_prefix("a=candidate:x"), "candidate:x");
  EXPECT_EQ(strip_attribute_prefix("candidate:x"), "candidate:x");
  EXPECT_EQ(strip_attribute_prefix("a="), "");
  EXPECT_EQ(strip_attribute_prefix(""), "");
}

}  // namespace
}  // namespace rrtc::ice
