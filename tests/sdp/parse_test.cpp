// Every WebRTC attribute of the model, read from real captures and documented browser formats.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "sdp/parser.hpp"

namespace rrtc::sdp {
namespace {

using test::parse_fixture;

const Extmap* find_extmap(const MediaSection& media, std::string_view uri) {
  for (const Extmap& e : media.extmaps) {
    if (e.uri == uri) return &e;
  }
  return nullptr;
}

TEST(ParseChromium, SessionLevel) {
  const SessionDescription s = parse_fixture("chromium_offer.sdp");
  EXPECT_EQ(s.origin.username, "-");
  EXPECT_EQ(s.origin.session_version, "2");
  EXPECT_EQ(s.origin.address, "127.0.0.1");
  EXPECT_EQ(s.session_name, "-");
  EXPECT_EQ(s.timing, "0 0");
  ASSERT_NE(s.bundle_group(), nullptr);
  EXPECT_EQ(s.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_TRUE(s.extmap_allow_mixed);
  ASSERT_EQ(s.other_attributes.size(), 1u);  // msid-semantic is kept, not typed
  EXPECT_EQ(s.other_attributes[0].name, "msid-semantic");
  ASSERT_EQ(s.media.size(), 4u);
  EXPECT_EQ(s.media[0].kind(), MediaKind::audio);
  EXPECT_EQ(s.media[1].kind(), MediaKind::video);
  EXPECT_EQ(s.media[2].kind(), MediaKind::video);
  EXPECT_EQ(s.media[3].kind(), MediaKind::application);
}

TEST(ParseChromium, TransportAttributesInEveryMediaSection) {
  const SessionDescription s = parse_fixture("chromium_offer.sdp");
  for (const MediaSection& m : s.media) {
    SCOPED_TRACE(m.mid);
    // Chrome: one 4-character ufrag and 24-character pwd, repeated in every section.
    EXPECT_EQ(m.ice_ufrag.size(), 4u);
    EXPECT_EQ(m.ice_pwd.size(), 24u);
    EXPECT_EQ(m.ice_ufrag, s.media[0].ice_ufrag);
    EXPECT_EQ(m.ice_pwd, s.media[0].ice_pwd);
    EXPECT_EQ(m.ice_options, std::vector<std::string>{"trickle"});
    ASSERT_EQ(m.fingerprints.size(), 1u);
    EXPECT_EQ(m.fingerprints[0].algorithm, "sha-256");
    EXPECT_EQ(m.fingerprints[0].value.size(), 95u);
    EXPECT_EQ(m.setup, Setup::actpass);
    EXPECT_EQ(m.candidates.size(), 8u);
    ASSERT_TRUE(m.connection.has_value());
    EXPECT_EQ(m.connection->address, "127.0.0.1");
  }
  EXPECT_EQ(s.media[0].port, s.media[0].candidates[0].port);
}

TEST(ParseChromium, AudioSection) {
  const SessionDescription s = parse_fixture("chromium_offer.sdp");
  const MediaSection& m = s.media[0];
  EXPECT_EQ(m.mid, "0");
  EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(m.formats.front(), "111");
  EXPECT_EQ(m.direction, Direction::sendrecv);
  EXPECT_TRUE(m.rtcp_mux);
  EXPECT_TRUE(m.rtcp_rsize);
  const Codec* opus = m.find_codec(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->name, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  EXPECT_EQ(opus->fmtp,
            (std::vector<FmtpParam>{{"minptime", "10", true}, {"useinbandfec", "1", true}}));
  EXPECT_EQ(opus->feedback, (std::vector<RtcpFeedback>{{"transport-cc", ""}}));
  const Codec* red = m.find_codec(63);
  ASSERT_NE(red, nullptr);
  EXPECT_EQ(red->fmtp, (std::vector<FmtpParam>{{"111/111", "", false}}));
  ASSERT_NE(find_extmap(m, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), nullptr);
  EXPECT_EQ(find_extmap(m, "urn:ietf:params:rtp-hdrext:sdes:mid")->id, 4);
  ASSERT_EQ(m.msids.size(), 1u);
  EXPECT_FALSE(m.msids[0].track_id.empty());
  ASSERT_EQ(m.ssrcs.size(), 1u);
  EXPECT_EQ(m.ssrcs[0].attributes[0].name, "cname");
  // a=rtcp and a=rtcp-xr are not typed: kept, in order.
  ASSERT_EQ(m.other_attributes.size(), 2u);
  EXPECT_EQ(m.other_attributes[0], (Attribute{"rtcp", "9 IN IP4 0.0.0.0", true}));
  EXPECT_EQ(m.other_attributes[1], (Attribute{"rtcp-xr", "rcvr-rtt=all", true}));
}

TEST(ParseChromium, VideoSection) {
  const SessionDescription s = parse_fixture("chromium_offer.sdp");
  const MediaSection& m = s.media[1];
  const Codec* vp8 = m.find_codec(96);
  ASSERT_NE(vp8, nullptr);
  EXPECT_EQ(vp8->name, "VP8");
  EXPECT_EQ(vp8->feedback.size(), 5u);
  EXPECT_EQ(vp8->feedback[2], (RtcpFeedback{"ccm", "fir"}));
  EXPECT_EQ(vp8->feedback[4], (RtcpFeedback{"nack", "pli"}));
  EXPECT_EQ(m.find_codec(97)->fmtp, (std::vector<FmtpParam>{{"apt", "96", true}}));
  EXPECT_EQ(m.find_codec(100)->fmtp[0], (FmtpParam{"profile-id", "2", true}));
  EXPECT_EQ(m.find_codec(45)->name, "AV1");
  EXPECT_EQ(m.find_codec(108)->fmtp.size(), 3u);
  EXPECT_EQ(m.codecs.size(), m.formats.size());
  ASSERT_EQ(m.ssrc_groups.size(), 1u);
  EXPECT_EQ(m.ssrc_groups[0].semantics, "FID");
  EXPECT_EQ(m.ssrc_groups[0].ssrcs.size(), 2u);
  EXPECT_EQ(m.ssrcs.size(), 2u);
  EXPECT_EQ(m.ssrcs[0].ssrc, m.ssrc_groups[0].ssrcs[0]);
  EXPECT_EQ(find_extmap(m, "urn:3gpp:video-orientation")->id, 13);
  EXPECT_NE(find_extmap(m, "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"), nullptr);
  EXPECT_NE(find_extmap(m, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"), nullptr);
}

TEST(ParseChromium, DataChannelSection) {
  const SessionDescription s = parse_fixture("chromium_offer.sdp");
  const MediaSection& m = s.media[3];
  EXPECT_EQ(m.protocol, "UDP/DTLS/SCTP");
  EXPECT_EQ(m.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(m.sctp_port, 5000);
  EXPECT_EQ(m.max_message_size, 262144u);
  EXPECT_FALSE(m.direction.has_value());
}

TEST(ParseChromium, SimulcastRids) {
  const SessionDescription s = parse_fixture("chromium_offer_simulcast.sdp");
  const MediaSection& m = s.media[1];
  EXPECT_EQ(m.direction, Direction::sendonly);
  ASSERT_EQ(m.rids.size(), 3u);
  EXPECT_EQ(m.rids[0], (Rid{"q", RidDirection::send, ""}));
  EXPECT_EQ(m.rids[2].id, "f");
  ASSERT_TRUE(m.simulcast.has_value());
  EXPECT_TRUE(m.simulcast->recv.empty());
  ASSERT_EQ(m.simulcast->send.size(), 3u);
  EXPECT_EQ(m.simulcast->send[1], (std::vector<SimulcastRid>{{"h", false}}));
}

TEST(ParseChromium, AnswerDirectionAndRole) {
  const SessionDescription s = parse_fixture("chromium_answer.sdp");
  for (const MediaSection& m : s.media) {
    EXPECT_EQ(m.setup, Setup::active);
    EXPECT_EQ(m.direction, Direction::recvonly);
  }
}

TEST(ParseAiortc, QuirksAreRepresented) {
  const SessionDescription s = parse_fixture("aiortc_offer.sdp");
  ASSERT_EQ(s.media.size(), 3u);
  // One id, two extensions in two m-lines of the same BUNDLE.
  EXPECT_EQ(find_extmap(s.media[0], "urn:ietf:params:rtp-hdrext:ssrc-audio-level")->id, 2);
  EXPECT_EQ(
      find_extmap(s.media[1], "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")->id, 2);
  EXPECT_NE(s.media[0].ice_ufrag, s.media[1].ice_ufrag);
  for (const MediaSection& m : s.media) {
    EXPECT_TRUE(m.end_of_candidates);
    EXPECT_EQ(m.candidates.size(), 2u);
  }
  const MediaSection& data = s.media[2];
  EXPECT_EQ(data.protocol, "DTLS/SCTP");
  ASSERT_TRUE(data.sctpmap.has_value());
  EXPECT_EQ(data.sctpmap->port, 5000);
  EXPECT_EQ(data.sctpmap->app, "webrtc-datachannel");
  EXPECT_EQ(data.sctpmap->streams, 65535u);
  EXPECT_EQ(data.max_message_size, 65536u);
  EXPECT_EQ(s.media[1].ssrc_groups[0].semantics, "FID");
}

TEST(ParseFirefox, SessionLevelTransportAndBundleOnly) {
  const SessionDescription s = parse_fixture("firefox_offer.sdp");
  ASSERT_EQ(s.fingerprints.size(), 1u);
  EXPECT_EQ(s.ice_options, std::vector<std::string>{"trickle"});
  EXPECT_TRUE(s.media[0].fingerprints.empty());
  EXPECT_FALSE(s.media[0].bundle_only);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(s.media[i].port, 0);
    EXPECT_TRUE(s.media[i].bundle_only);
  }
  EXPECT_TRUE(s.media[0].end_of_candidates);
  EXPECT_EQ(s.media[2].max_message_size, 1073741823u);
}

TEST(ParseFirefox, FmtpBeforeRtpmapAndExtmapDirection) {
  const SessionDescription s = parse_fixture("firefox_offer.sdp");
  const MediaSection& audio = s.media[0];
  const Codec* opus = audio.find_codec(109);
  ASSERT_NE(opus, nullptr);
  EXPECT_TRUE(opus->has_rtpmap);
  EXPECT_EQ(opus->name, "opus");
  EXPECT_EQ(opus->fmtp.size(), 3u);
  EXPECT_EQ(audio.find_codec(9)->channels, 1);
  EXPECT_EQ(audio.find_codec(101)->fmtp, (std::vector<FmtpParam>{{"0-15", "", false}}));
  const Extmap* csrc = find_extmap(audio, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
  ASSERT_NE(csrc, nullptr);
  EXPECT_EQ(csrc->direction, Direction::recvonly);
  const MediaSection& video = s.media[1];
  EXPECT_EQ(video.find_codec(124)->fmtp[0], (FmtpParam{"apt", "120", true}));
  EXPECT_EQ(video.find_codec(120)->name, "VP8");
  EXPECT_EQ(video.msids[0].stream_id, "{5f0e8b2c-7a43-4c1e-9d2b-3a6f0c4e8d17}");
  EXPECT_EQ(audio.candidates[1].transport, "TCP");
  EXPECT_EQ(audio.candidates[1].tcp_type, "active");
}

TEST(ParseSafari, ReflexiveCandidateAndMdnsHost) {
  const SessionDescription s = parse_fixture("safari_offer.sdp");
  const auto& candidates = s.media[0].candidates;
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].address, "6c1f0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b.local");
  EXPECT_EQ(candidates[1].type, "srflx");
  EXPECT_EQ(candidates[1].related_address, "0.0.0.0");
  EXPECT_EQ(candidates[1].related_port, 0);
  EXPECT_EQ(s.media[1].find_codec(96)->name, "H264");
}

TEST(Parse, SsrcGroupSimAndWildcardFeedback) {
  const char* text =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtcp-fb:* nack\r\n"
      "a=ssrc-group:SIM 1 2 3\r\na=ssrc-group:FID 1 4\r\na=ssrc:1 cname:c\r\n"
      "a=simulcast:recv 1;~2,3 send 4\r\na=x-unknown\r\na=x-other:value with spaces\r\n";
  auto parsed = parse(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const MediaSection& m = parsed->media[0];
  EXPECT_EQ(m.ssrc_groups[0], (SsrcGroup{"SIM", {1, 2, 3}}));
  EXPECT_EQ(m.feedback_all, (std::vector<RtcpFeedback>{{"nack", ""}}));
  ASSERT_TRUE(m.simulcast);
  EXPECT_FALSE(m.simulcast->send_first);
  EXPECT_EQ(m.simulcast->recv[1], (std::vector<SimulcastRid>{{"2", true}, {"3", false}}));
  EXPECT_EQ(m.simulcast->send[0][0].id, "4");
  ASSERT_EQ(m.other_attributes.size(), 2u);
  EXPECT_EQ(m.other_attributes[0], (Attribute{"x-unknown", "", false}));
  EXPECT_EQ(m.other_attributes[1].value, "value with spaces");
}

TEST(Parse, LfOnlyLineEndsGiveTheSameModel) {
  std::string crlf = test::load_fixture("chromium_offer.sdp");
  std::string lf;
  for (char c : crlf) {
    if (c != '\r') lf += c;
  }
  auto a = parse(crlf);
  auto b = parse(lf);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace rrtc::sdp
