// Bad input gives a precise error code and a message the signaling layer can send as is.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "sdp/parser.hpp"

namespace rrtc::sdp {
namespace {

const std::string kHead = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const std::string kVideo = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

struct BadCase {
  const char* name;
  std::string text;
  ErrorCode code;
  std::size_t line;
};

class ParseErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseErrors, GivesTheExpectedError) {
  const BadCase& c = GetParam();
  auto parsed = parse(c.text);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, c.code) << parsed.error().message();
  EXPECT_EQ(parsed.error().line, c.line) << parsed.error().message();
  EXPECT_FALSE(parsed.error().message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseErrors,
    ::testing::Values(
        BadCase{"empty", "", ErrorCode::empty, 0},
        BadCase{"only_blank_lines", "\r\n\r\n", ErrorCode::empty, 0},
        BadCase{"no_equals", "v0\r\n", ErrorCode::bad_line, 1},
        BadCase{"version_1", "v=1\r\n", ErrorCode::bad_version, 1},
        BadCase{"starts_with_o", "o=- 1 1 IN IP4 0.0.0.0\r\n", ErrorCode::bad_version, 1},
        BadCase{"missing_origin", "v=0\r\ns=-\r\nt=0 0\r\n", ErrorCode::missing_origin, 0},
        BadCase{"missing_timing", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n",
                ErrorCode::missing_timing, 0},
        BadCase{"short_origin", "v=0\r\no=- 1 1 IN IP4\r\n", ErrorCode::bad_origin, 2},
        BadCase{"two_origins", kHead + "o=- 1 1 IN IP4 0.0.0.0\r\n", ErrorCode::unexpected_line, 5},
        BadCase{"unknown_line_type", kHead + "x=1\r\n", ErrorCode::unexpected_line, 5},
        BadCase{"t_in_media", kHead + kVideo + "t=0 0\r\n", ErrorCode::unexpected_line, 6},
        BadCase{"control_byte", kHead + "a=x\x01y\r\n", ErrorCode::bad_line, 5},
        BadCase{"bad_connection", kHead + "c=IN IP4\r\n", ErrorCode::bad_connection, 5},
        BadCase{"media_without_format", kHead + "m=video 9 UDP/TLS/RTP/SAVPF\r\n",
                ErrorCode::bad_media_line, 5},
        BadCase{"media_port_too_big", kHead + "m=video 70000 RTP/AVP 0\r\n",
                ErrorCode::bad_media_line, 5},
        BadCase{"empty_attribute_name", kHead + "a=:x\r\n", ErrorCode::bad_attribute, 5},
        BadCase{"rtpmap_no_clock", kHead + kVideo + "a=rtpmap:96 VP8\r\n", ErrorCode::bad_rtpmap,
                6},
        BadCase{"rtpmap_pt_128", kHead + kVideo + "a=rtpmap:128 VP8/90000\r\n",
                ErrorCode::bad_rtpmap, 6},
        BadCase{"rtpmap_zero_channels", kHead + kVideo + "a=rtpmap:96 opus/48000/0\r\n",
                ErrorCode::bad_rtpmap, 6},
        BadCase{"fmtp_bad_pt", kHead + kVideo + "a=fmtp:x apt=96\r\n", ErrorCode::bad_fmtp, 6},
        BadCase{"rtcp_fb_no_type", kHead + kVideo + "a=rtcp-fb:96\r\n", ErrorCode::bad_rtcp_fb, 6},
        BadCase{"extmap_id_0", kHead + kVideo + "a=extmap:0 urn:x\r\n", ErrorCode::bad_extmap, 6},
        BadCase{"extmap_id_256", kHead + kVideo + "a=extmap:256 urn:x\r\n", ErrorCode::bad_extmap,
                6},
        BadCase{"extmap_bad_direction", kHead + kVideo + "a=extmap:1/both urn:x\r\n",
                ErrorCode::bad_extmap, 6},
        BadCase{"extmap_no_uri", kHead + kVideo + "a=extmap:1\r\n", ErrorCode::bad_extmap, 6},
        BadCase{"ssrc_not_number", kHead + kVideo + "a=ssrc:abc cname:x\r\n", ErrorCode::bad_ssrc,
                6},
        BadCase{"ssrc_too_big", kHead + kVideo + "a=ssrc:4294967296 cname:x\r\n",
                ErrorCode::bad_ssrc, 6},
        BadCase{"ssrc_group_empty", kHead + kVideo + "a=ssrc-group:FID\r\n",
                ErrorCode::bad_ssrc_group, 6},
        BadCase{"rid_bad_direction", kHead + kVideo + "a=rid:q both\r\n", ErrorCode::bad_rid, 6},
        BadCase{"simulcast_bad_keyword", kHead + kVideo + "a=simulcast:sendrecv a;b\r\n",
                ErrorCode::bad_simulcast, 6},
        BadCase{"simulcast_twice_send", kHead + kVideo + "a=simulcast:send a send b\r\n",
                ErrorCode::bad_simulcast, 6},
        BadCase{"simulcast_empty_rid", kHead + kVideo + "a=simulcast:send a;;b\r\n",
                ErrorCode::bad_simulcast, 6},
        BadCase{"candidate_no_typ", kHead + kVideo + "a=candidate:1 1 udp 1 1.2.3.4 5 host\r\n",
                ErrorCode::bad_candidate, 6},
        BadCase{"fingerprint_one_word", kHead + "a=fingerprint:sha-256\r\n",
                ErrorCode::bad_fingerprint, 5},
        BadCase{"setup_unknown", kHead + "a=setup:both\r\n", ErrorCode::bad_setup, 5},
        BadCase{"group_empty", kHead + "a=group:\r\n", ErrorCode::bad_group, 5},
        BadCase{"msid_three_words", kHead + kVideo + "a=msid:a b c\r\n", ErrorCode::bad_msid, 6},
        BadCase{"mid_empty", kHead + kVideo + "a=mid:\r\n", ErrorCode::bad_mid, 6},
        BadCase{"sctp_port_text", kHead + kVideo + "a=sctp-port:x\r\n", ErrorCode::bad_sctp, 6},
        BadCase{"max_message_size_negative", kHead + kVideo + "a=max-message-size:-1\r\n",
                ErrorCode::bad_sctp, 6},
        BadCase{"sctpmap_no_app", kHead + kVideo + "a=sctpmap:5000\r\n", ErrorCode::bad_sctp, 6},
        BadCase{"ice_ufrag_empty", kHead + "a=ice-ufrag:\r\n", ErrorCode::bad_ice_credentials, 5},
        BadCase{"duplicate_mid", kHead + kVideo + "a=mid:0\r\n" + kVideo + "a=mid:0\r\n",
                ErrorCode::duplicate_mid, 0}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(ParseLimits, SizeIsBounded) {
  ParseLimits limits;
  limits.max_size = 100;
  auto parsed = parse(test::load_fixture("chromium_offer.sdp"), limits);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::too_large);
  EXPECT_EQ(parsed.error().message(), "SDP is larger than the limit");
}

TEST(ParseLimits, LineLengthIsBounded) {
  auto parsed = parse(kHead + "a=x-long:" + std::string(5000, 'a') + "\r\n");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::line_too_long);
  EXPECT_EQ(parsed.error().line, 5u);
}

TEST(ParseLimits, MediaSectionCountIsBounded) {
  std::string text = kHead;
  for (int i = 0; i < 65; ++i) text += kVideo;
  auto parsed = parse(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::too_many_media_sections);
  ParseLimits roomy;
  roomy.max_media_sections = 100;
  EXPECT_TRUE(parse(text, roomy));
}

TEST(ParseLimits, CandidateCountIsBounded) {
  ParseLimits limits;
  limits.max_candidates = 31;  // the Chromium offer has 32
  auto parsed = parse(test::load_fixture("chromium_offer.sdp"), limits);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::too_many_candidates);
  limits.max_candidates = 32;
  EXPECT_TRUE(parse(test::load_fixture("chromium_offer.sdp"), limits));
}

TEST(ParseLimits, AttributeCountIsBounded) {
  std::string text = kHead + kVideo;
  for (int i = 0; i < 1025; ++i) text += "a=x\r\n";
  auto parsed = parse(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::too_many_attributes);
}

TEST(ParseErrorMessage, NamesLineAndCleanedToken) {
  auto parsed = parse(kHead + kVideo + "a=rtpmap:96 \"VP8\"\r\n");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "SDP line 6: bad a=rtpmap (\"96 ?VP8?\")");
}

TEST(ParseErrorMessage, ValueThrowsOnlyWhenAsked) {
  auto parsed = parse("v=2\r\n");
  EXPECT_THROW((void)parsed.value(), std::invalid_argument);
}

}  // namespace
}  // namespace rrtc::sdp
