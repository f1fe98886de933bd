// Candidate lines as browsers write them in SDP and trickle them over signaling.
#include "sdp/candidate.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"

namespace rrtc::sdp {
namespace {

struct GoodCase {
  const char* name;
  const char* text;
  Candidate expected;
};

Candidate make(std::string foundation, std::uint16_t component, std::string transport,
               std::uint32_t priority, std::string address, std::uint16_t port, std::string type) {
  Candidate c;
  c.foundation = std::move(foundation);
  c.component = component;
  c.transport = std::move(transport);
  c.priority = priority;
  c.address = std::move(address);
  c.port = port;
  c.type = std::move(type);
  return c;
}

GoodCase chrome_host() {
  Candidate c = make("1160556295", 1, "udp", 2122194687, "127.0.0.1", 34393, "host");
  c.generation = 0;
  c.extensions = {{"network-id", "3"}, {"network-cost", "50"}};
  return {"chrome_host",
          "candidate:1160556295 1 udp 2122194687 127.0.0.1 34393 typ host generation 0 "
          "network-id 3 network-cost 50",
          c};
}

GoodCase chrome_tcp_trickled() {
  Candidate c = make("1004752287", 1, "tcp", 1518214911, "127.0.0.1", 9, "host");
  c.tcp_type = "active";
  c.generation = 0;
  c.ufrag = "Ndnr";
  c.extensions = {{"network-id", "3"}};
  return {"chrome_tcp_trickled",
          "a=candidate:1004752287 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active "
          "generation 0 ufrag Ndnr network-id 3",
          c};
}

GoodCase srflx() {
  Candidate c = make("842163049", 1, "udp", 1677729535, "203.0.113.7", 64213, "srflx");
  c.related_address = "192.0.2.2";
  c.related_port = 50000;
  return {"srflx",
          "candidate:842163049 1 udp 1677729535 203.0.113.7 64213 typ srflx raddr 192.0.2.2 "
          "rport 50000",
          c};
}

GoodCase relay_firefox() {
  Candidate c = make("4", 1, "UDP", 8265471, "198.51.100.9", 3478, "relay");
  c.related_address = "198.51.100.9";
  c.related_port = 55016;
  return {"relay_firefox",
          "candidate:4 1 UDP 8265471 198.51.100.9 3478 typ relay raddr 198.51.100.9 rport 55016",
          c};
}

GoodCase aiortc_ipv6() {
  return {"aiortc_ipv6",
          "candidate:d0bcf3d9c29a2bc887618212a1623bfa 1 udp 2130706431 fd00::2 52342 typ host",
          make("d0bcf3d9c29a2bc887618212a1623bfa", 1, "udp", 2130706431, "fd00::2", 52342, "host")};
}

class CandidateGood : public ::testing::TestWithParam<GoodCase> {};

TEST_P(CandidateGood, ParsesEveryField) {
  auto parsed = parse_candidate(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, GetParam().expected);
}

TEST_P(CandidateGood, WritesWhatItRead) {
  auto parsed = parse_candidate(GetParam().text);
  ASSERT_TRUE(parsed);
  std::string text = GetParam().text;
  if (text.rfind("a=", 0) == 0) text = text.substr(2);
  EXPECT_EQ(to_string(*parsed), text);
  auto again = parse_candidate(to_string(*parsed));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *parsed);
}

INSTANTIATE_TEST_SUITE_P(Table, CandidateGood,
                         ::testing::Values(chrome_host(), chrome_tcp_trickled(), srflx(),
                                           relay_firefox(), aiortc_ipv6()),
                         [](const auto& info) { return std::string(info.param.name); });

struct BadCase {
  const char* name;
  std::string text;
};

class CandidateBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(CandidateBad, IsRejectedWithBadCandidate) {
  auto parsed = parse_candidate(GetParam().text, 7);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::bad_candidate);
  EXPECT_EQ(parsed.error().line, 7u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, CandidateBad,
    ::testing::Values(
        BadCase{"empty", ""}, BadCase{"prefix_only", "candidate:"},
        BadCase{"no_prefix", "1 1 udp 1 1.2.3.4 5 typ host"},
        BadCase{"missing_typ", "candidate:1 1 udp 1 1.2.3.4 5 host"},
        BadCase{"port_text", "candidate:1 1 udp 1 1.2.3.4 x typ host"},
        BadCase{"port_too_big", "candidate:1 1 udp 1 1.2.3.4 65536 typ host"},
        BadCase{"priority_overflow", "candidate:1 1 udp 4294967296 1.2.3.4 5 typ host"},
        BadCase{"component_text", "candidate:1 x udp 1 1.2.3.4 5 typ host"},
        BadCase{"dangling_extension", "candidate:1 1 udp 1 1.2.3.4 5 typ host generation"},
        BadCase{"bad_rport", "candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.1.1.1 rport x"},
        BadCase{"bad_generation", "candidate:1 1 udp 1 1.2.3.4 5 typ host generation -1"},
        BadCase{"control_byte", std::string("candidate:1 1 udp 1 1.2.3.4 5 typ host\x01")},
        BadCase{"long_foundation",
                "candidate:" + std::string(40, 'f') + " 1 udp 1 1.2.3.4 5 typ host"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Candidate, EveryFixtureCandidateRoundTrips) {
  std::size_t checked = 0;
  for (const char* name : test::kAllFixtures) {
    for (const MediaSection& m : test::parse_fixture(name).media) {
      for (const Candidate& c : m.candidates) {
        auto again = parse_candidate("a=" + to_string(c));
        ASSERT_TRUE(again) << to_string(c);
        EXPECT_EQ(*again, c);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 40u);
}

}  // namespace
}  // namespace rrtc::sdp
