// parse -> serialize -> parse gives an equal model, for every fixture; and the writer's format.
#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::sdp {
namespace {

class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, ParseSerializeParseIsEqual) {
  const SessionDescription first = test::parse_fixture(GetParam());
  const std::string text = serialize(first);
  auto second = parse(text);
  ASSERT_TRUE(second) << second.error().message() << "\n" << text;
  EXPECT_EQ(*second, first);
  EXPECT_EQ(serialize(*second), text);  // the writer is a fixed point
}

TEST_P(RoundTrip, EveryLineEndsInCrlf) {
  const std::string text = serialize(test::parse_fixture(GetParam()));
  ASSERT_FALSE(text.empty());
  std::size_t lines = 0;
  for (std::size_t pos = text.find('\n'); pos != std::string::npos;
       pos = text.find('\n', pos + 1)) {
    ASSERT_GT(pos, 0u);
    EXPECT_EQ(text[pos - 1], '\r');
    ++lines;
  }
  EXPECT_EQ(text.back(), '\n');
  EXPECT_GT(lines, 20u);
}

TEST_P(RoundTrip, KeepsEveryLineOfTheOriginal) {
  // The writer may reorder lines but never drops or invents one.
  const std::string original = test::load_fixture(GetParam());
  const std::string written = serialize(test::parse_fixture(GetParam()));
  const auto sorted_lines = [](const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) lines.push_back(line);
      start = end + 1;
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted_lines(written), sorted_lines(original));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RoundTrip, ::testing::ValuesIn(test::kAllFixtures),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST(Serialize, WritesChromeOrder) {
  SessionDescription s;
  s.origin.session_id = "42";
  s.origin.session_version = "2";
  s.groups.push_back(Group{"BUNDLE", {"0"}});
  MediaSection m;
  m.media = "audio";
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.connection = Connection{};
  m.ice_ufrag = "uf";
  m.ice_pwd = "pw";
  m.fingerprints = {Fingerprint{"sha-256", "AB:CD"}};
  m.setup = Setup::passive;
  m.mid = "0";
  m.extmaps = {Extmap{1, Direction::sendonly, "urn:x", "attr"}};
  m.direction = Direction::recvonly;
  m.rtcp_mux = true;
  Codec opus;
  opus.payload_type = 111;
  opus.has_rtpmap = true;
  opus.name = "opus";
  opus.clock_rate = 48000;
  opus.channels = 2;
  opus.fmtp = {{"minptime", "10", true}};
  opus.feedback = {{"nack", ""}};
  m.codecs = {opus};
  m.ssrcs = {Ssrc{7, {Attribute{"cname", "c", true}}}};
  s.media.push_back(m);
  EXPECT_EQ(serialize(s),
            "v=0\r\no=- 42 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
            "a=ice-ufrag:uf\r\na=ice-pwd:pw\r\na=fingerprint:sha-256 AB:CD\r\na=setup:passive\r\n"
            "a=mid:0\r\na=extmap:1/sendonly urn:x attr\r\na=recvonly\r\na=rtcp-mux\r\n"
            "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 nack\r\na=fmtp:111 minptime=10\r\n"
            "a=ssrc:7 cname:c\r\n");
}

}  // namespace
}  // namespace rrtc::sdp
