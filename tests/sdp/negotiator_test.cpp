// Answers to real offers: codec choice, payload type mapping, extensions, rejected m-lines,
// and the 400-worthy errors.
#include "sdp/negotiator.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "negotiation_helpers.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::sdp {
namespace {

using test::Negotiation;
using test::parse_fixture;

Answer answer_or_die(const SessionDescription& offer, const AnswerInput& input) {
  auto answer = answer_offer(offer, input);
  EXPECT_TRUE(answer) << (answer ? "" : answer.error().message());
  return answer ? std::move(*answer) : Answer{};
}

std::vector<std::uint8_t> payload_types(const NegotiatedMedia& media) {
  std::vector<std::uint8_t> pts;
  for (const auto& c : media.codecs) pts.push_back(c.codec.payload_type);
  return pts;
}

TEST(NegotiatorChromium, AcceptsEveryMediaSection) {
  Negotiation n;
  const SessionDescription offer = parse_fixture("chromium_offer.sdp");
  const Answer a = answer_or_die(offer, n.input());
  ASSERT_EQ(a.sdp.media.size(), 4u);
  EXPECT_EQ(a.sdp.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_TRUE(a.sdp.extmap_allow_mixed);
  for (const MediaSection& m : a.sdp.media) {
    SCOPED_TRACE(m.mid);
    EXPECT_EQ(m.port, 9);
    EXPECT_EQ(m.setup, Setup::passive);
    EXPECT_EQ(m.ice_ufrag, "srvU");
    EXPECT_EQ(m.fingerprints, std::vector<Fingerprint>{n.transport.fingerprint});
    EXPECT_EQ(m.candidates, n.transport.candidates);
  }
  EXPECT_EQ(a.remote.ice_ufrag, offer.media[0].ice_ufrag);
  EXPECT_EQ(a.remote.ice_pwd, offer.media[0].ice_pwd);
  EXPECT_EQ(a.remote.candidates.size(), 8u);
  EXPECT_EQ(a.remote.fingerprints[0].algorithm, "sha-256");
}

TEST(NegotiatorChromium, ChoosesCodecsInServerPreference) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  // Audio: opus then RED carrying opus; G722/PCMU/PCMA/CN/telephone-event rejected.
  EXPECT_EQ(payload_types(a.media[0]), (std::vector<std::uint8_t>{111, 63}));
  EXPECT_EQ(a.sdp.media[0].formats, (std::vector<std::string>{"111", "63"}));
  // Video: VP8, VP9 p0, VP9 p2, H264 42e01f pm1, H264 42e01f pm0, AV1, each with its RTX.
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{96, 98, 100, 108, 114, 45}));
  EXPECT_EQ(a.media[1].codecs[0].rtx_payload_type, 97);
  EXPECT_EQ(a.media[1].codecs[3].rtx_payload_type, 109);
  EXPECT_EQ(a.sdp.media[1].formats,
            (std::vector<std::string>{"96", "97", "98", "99", "100", "101", "108", "109", "114",
                                      "115", "45", "46"}));
  // No red/ulpfec for video, no baseline (42001f) or main (4d001f) H264.
  EXPECT_EQ(a.sdp.media[1].find_codec(118), nullptr);
  EXPECT_EQ(a.sdp.media[1].find_codec(102), nullptr);
  EXPECT_EQ(a.sdp.media[1].find_codec(116), nullptr);
}

TEST(NegotiatorChromium, FeedbackAndExtensionsAreIntersected) {
  Negotiation n;
  n.caps.codecs[1].feedback = {{"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}};  // VP8
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  EXPECT_EQ(a.sdp.media[1].find_codec(96)->feedback,
            (std::vector<RtcpFeedback>{{"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}}));
  EXPECT_TRUE(a.sdp.media[1].find_codec(97)->feedback.empty());
  std::vector<std::string> uris;
  for (const Extmap& e : a.media[1].extensions) uris.push_back(e.uri);
  // toffset, video-content-type, video-timing, color-space are not forwarded.
  EXPECT_EQ(uris, (std::vector<std::string>{uri::kAbsSendTime, uri::kVideoOrientation,
                                            uri::kTransportWideCc, uri::kPlayoutDelay, uri::kMid,
                                            uri::kRtpStreamId, uri::kRepairedRtpStreamId}));
  EXPECT_EQ(a.sdp.media[1].extmaps, a.media[1].extensions);
  EXPECT_EQ(a.media[0].extensions.size(), 4u);
}

TEST(NegotiatorChromium, DirectionSourcesAndTrackTypes) {
  Negotiation n;
  AnswerInput in = n.input();
  in.track_types = {{"2", TrackType::screen}};
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), in);
  EXPECT_EQ(a.sdp.media[0].direction, Direction::recvonly);
  EXPECT_EQ(a.media[0].track_type, TrackType::audio);
  EXPECT_EQ(a.media[1].track_type, TrackType::camera);
  EXPECT_EQ(a.media[2].track_type, TrackType::screen);
  EXPECT_FALSE(a.media[3].track_type.has_value());
  ASSERT_EQ(a.media[1].rtx_pairs.size(), 1u);
  EXPECT_EQ(a.media[1].ssrcs.size(), 2u);
  EXPECT_EQ(a.media[1].rtx_pairs[0].first, a.media[1].ssrcs[0]);
  EXPECT_EQ(a.media[1].cname.size(), 16u);  // Chrome's random cname
  EXPECT_EQ(a.media[1].cname, a.media[0].cname);
  EXPECT_EQ(a.media[3].sctp_port, 5000);
  EXPECT_EQ(a.media[3].max_message_size, 262144u);
  EXPECT_EQ(a.sdp.media[3].sctp_port, 5000);
  EXPECT_EQ(a.sdp.media[3].max_message_size, n.caps.max_message_size);
}

TEST(NegotiatorChromium, AnswerSerializesAndParsesBack) {
  Negotiation n;
  for (const char* name : {"chromium_offer.sdp", "chromium_offer_simulcast.sdp", "aiortc_offer.sdp",
                           "firefox_offer.sdp", "safari_offer.sdp"}) {
    SCOPED_TRACE(name);
    const Answer a = answer_or_die(parse_fixture(name), n.input());
    auto again = parse(serialize(a.sdp));
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, a.sdp);
  }
}

TEST(NegotiatorChromium, SimulcastRidsAreReported) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("chromium_offer_simulcast.sdp"), n.input());
  ASSERT_EQ(a.media[1].rids.size(), 3u);
  EXPECT_EQ(a.media[1].rids[1].id, "h");
}

TEST(NegotiatorCodecs, H264NeedsMatchingProfileAndPacketizationMode) {
  Negotiation n;
  n.caps.codecs = {n.caps.codecs[0], n.caps.codecs[5], n.caps.codecs[4]};  // opus, H264 pm0, pm1
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{114, 108}));
}

TEST(NegotiatorCodecs, Vp9ProfileIdIsMatched) {
  Negotiation n;
  n.caps.codecs = {n.caps.codecs[3]};  // VP9 profile 2 only
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{100}));
  EXPECT_EQ(a.media[1].codecs[0].rtx_payload_type, 101);
  EXPECT_FALSE(a.media[0].accepted);  // no audio codec left
  EXPECT_EQ(a.sdp.media[0].port, 0);
}

TEST(NegotiatorCodecs, Av1ProfileIsMatched) {
  Negotiation n;
  n.caps.codecs = {n.caps.codecs[6]};
  n.caps.codecs[0].fmtp = {{"profile", "1", true}};
  const Answer rejected = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  EXPECT_FALSE(rejected.media[1].accepted);
  n.caps.codecs[0].fmtp = {{"profile", "0", true}};
  const Answer a = answer_or_die(parse_fixture("chromium_offer.sdp"), n.input());
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{45}));
}

TEST(NegotiatorCodecs, ClientPayloadTypesAreKept) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("firefox_offer.sdp"), n.input());
  // Firefox numbers VP8 120 with RTX 124; the answer uses them, not the server's 96/97.
  EXPECT_EQ(a.media[1].codecs[0].codec.payload_type, 120);
  EXPECT_EQ(a.media[1].codecs[0].codec.name, "VP8");
  EXPECT_EQ(a.media[1].codecs[0].rtx_payload_type, 124);
  EXPECT_EQ(a.media[0].codecs[0].codec.payload_type, 109);
  // Firefox writes no RED for audio; its video red/ulpfec is not accepted.
  EXPECT_EQ(a.media[0].codecs.size(), 1u);
  EXPECT_EQ(a.sdp.media[1].find_codec(122), nullptr);
}

TEST(NegotiatorCodecs, RedNeedsItsCarriedCodec) {
  Negotiation n;
  SessionDescription offer = parse_fixture("chromium_offer.sdp");
  offer.media[0].find_codec(63)->fmtp = {{"9/9", "", false}};  // RED over G722
  const Answer a = answer_or_die(offer, n.input());
  EXPECT_EQ(payload_types(a.media[0]), (std::vector<std::uint8_t>{111}));
}

TEST(NegotiatorFirefox, BundleOnlySectionsAreBundledNotRejected) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("firefox_offer.sdp"), n.input());
  EXPECT_EQ(a.sdp.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2"}));
  for (const NegotiatedMedia& m : a.media) EXPECT_TRUE(m.accepted) << m.mid;
  EXPECT_EQ(a.sdp.media[1].port, 9);
  EXPECT_EQ(a.remote.ice_ufrag, "6f1c2a9b");
  EXPECT_EQ(a.remote.fingerprints.size(), 1u);  // from the session level
  EXPECT_TRUE(a.remote.end_of_candidates);
  EXPECT_EQ(a.media[2].max_message_size, 1073741823u);
}

TEST(NegotiatorAiortc, ExtensionIdsAreReadPerMediaSection) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("aiortc_offer.sdp"), n.input());
  ASSERT_TRUE(a.media[0].accepted && a.media[1].accepted && a.media[2].accepted);
  EXPECT_EQ(a.media[0].extensions, (std::vector<Extmap>{{1, std::nullopt, uri::kMid, ""},
                                                        {2, std::nullopt, uri::kAudioLevel, ""}}));
  EXPECT_EQ(a.media[1].extensions, (std::vector<Extmap>{{1, std::nullopt, uri::kMid, ""},
                                                        {2, std::nullopt, uri::kAbsSendTime, ""}}));
  EXPECT_EQ(a.remote.ice_ufrag, "8qww");  // the tagged m-line's, not the others'
  // Its data channel uses the old sctpmap form; the answer follows it.
  const MediaSection& data = a.sdp.media[2];
  EXPECT_EQ(data.protocol, "DTLS/SCTP");
  EXPECT_EQ(data.formats, std::vector<std::string>{"5000"});
  ASSERT_TRUE(data.sctpmap);
  EXPECT_EQ(data.sctpmap->port, 5000);
  EXPECT_FALSE(data.sctp_port);
  EXPECT_EQ(a.media[2].max_message_size, 65536u);
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{97, 101}));
}

TEST(NegotiatorSafari, ConstrainedHighIsNotTakenVp8Is) {
  Negotiation n;
  const Answer a = answer_or_die(parse_fixture("safari_offer.sdp"), n.input());
  EXPECT_EQ(payload_types(a.media[1]), (std::vector<std::uint8_t>{100, 127, 98}));
}

struct RejectCase {
  const char* name;
  void (*mutate)(SessionDescription&, Capabilities&);
  std::size_t rejected_index;
};

class NegotiatorRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(NegotiatorRejects, WithPortZeroOutsideBundle) {
  Negotiation n;
  SessionDescription offer = parse_fixture("chromium_offer.sdp");
  GetParam().mutate(offer, n.caps);
  const Answer a = answer_or_die(offer, n.input());
  const std::size_t i = GetParam().rejected_index;
  EXPECT_FALSE(a.media[i].accepted);
  EXPECT_EQ(a.sdp.media[i].port, 0);
  EXPECT_EQ(a.sdp.media[i].mid, offer.media[i].mid);
  const auto& bundle = a.sdp.bundle_group()->mids;
  EXPECT_EQ(std::count(bundle.begin(), bundle.end(), offer.media[i].mid), 0);
  EXPECT_EQ(bundle.size(), 3u);
  auto again = parse(serialize(a.sdp));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, a.sdp);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NegotiatorRejects,
    ::testing::Values(
        RejectCase{"no_common_codec",
                   [](SessionDescription& o, Capabilities&) {
                     o.media[2].formats = {"118", "119", "120"};  // red, rtx, ulpfec only
                   },
                   2},
        RejectCase{"not_in_bundle",
                   [](SessionDescription& o, Capabilities&) { o.groups[0].mids.pop_back(); }, 3},
        RejectCase{"client_port_zero",
                   [](SessionDescription& o, Capabilities&) { o.media[1].port = 0; }, 1},
        RejectCase{"no_rtcp_mux",
                   [](SessionDescription& o, Capabilities&) { o.media[2].rtcp_mux = false; }, 2},
        RejectCase{"plain_rtp_profile",
                   [](SessionDescription& o, Capabilities&) { o.media[1].protocol = "RTP/AVP"; },
                   1},
        RejectCase{"data_channels_off",
                   [](SessionDescription&, Capabilities& c) { c.data_channels = false; }, 3}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NegotiatorRejects, SecondDataChannelSection) {
  Negotiation n;
  SessionDescription offer = parse_fixture("chromium_offer.sdp");
  MediaSection extra = offer.media[3];
  extra.mid = "9";
  offer.media.push_back(extra);
  offer.groups[0].mids.push_back("9");
  const Answer a = answer_or_die(offer, n.input());
  EXPECT_TRUE(a.media[3].accepted);
  EXPECT_FALSE(a.media[4].accepted);
}

struct ErrorCase {
  const char* name;
  void (*mutate)(SessionDescription&);
  ErrorCode code;
};

class NegotiatorErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(NegotiatorErrors, GiveTheExpectedCode) {
  Negotiation n;
  SessionDescription offer = parse_fixture("firefox_offer.sdp");
  GetParam().mutate(offer);
  auto answer = answer_offer(offer, n.input());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, GetParam().code) << answer.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, NegotiatorErrors,
    ::testing::Values(
        ErrorCase{"no_media", [](SessionDescription& o) { o.media.clear(); }, ErrorCode::no_media},
        ErrorCase{"no_bundle", [](SessionDescription& o) { o.groups.clear(); },
                  ErrorCode::missing_bundle},
        ErrorCase{"empty_bundle", [](SessionDescription& o) { o.groups[0].mids.clear(); },
                  ErrorCode::missing_bundle},
        ErrorCase{"bundle_names_unknown_mid",
                  [](SessionDescription& o) {
                    o.groups[0].mids = {"x", "0"};
                  },
                  ErrorCode::missing_bundle},
        ErrorCase{"no_mid", [](SessionDescription& o) { o.media[1].mid.clear(); },
                  ErrorCode::missing_mid},
        ErrorCase{"no_ufrag", [](SessionDescription& o) { o.media[0].ice_ufrag.clear(); },
                  ErrorCode::missing_ice_credentials},
        ErrorCase{"no_fingerprint", [](SessionDescription& o) { o.fingerprints.clear(); },
                  ErrorCode::missing_fingerprint},
        ErrorCase{"md5_fingerprint",
                  [](SessionDescription& o) { o.fingerprints[0].algorithm = "md5"; },
                  ErrorCode::unusable_fingerprint},
        ErrorCase{"short_fingerprint",
                  [](SessionDescription& o) { o.fingerprints[0].value = "AB:CD"; },
                  ErrorCode::unusable_fingerprint},
        ErrorCase{"setup_passive", [](SessionDescription& o) { o.media[0].setup = Setup::passive; },
                  ErrorCode::bad_dtls_role},
        ErrorCase{"tagged_without_rtcp_mux",
                  [](SessionDescription& o) { o.media[0].rtcp_mux = false; },
                  ErrorCode::missing_rtcp_mux}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NegotiatorErrors, MessageIsClear) {
  Negotiation n;
  SessionDescription offer = parse_fixture("chromium_offer.sdp");
  offer.groups.clear();
  auto answer = answer_offer(offer, n.input());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().message(), "offer has no usable a=group:BUNDLE");
}

TEST(NegotiatorSending, ClientReofferKeepsServerTracksSending) {
  Negotiation n;
  SessionDescription offer = parse_fixture("chromium_offer_av.sdp");
  // The client's re-offer carries a server m-line as recvonly.
  MediaSection received = offer.media[1];
  received.mid = "7";
  received.direction = Direction::recvonly;
  received.msids.clear();
  received.ssrcs.clear();
  received.ssrc_groups.clear();
  offer.media.push_back(received);
  offer.groups[0].mids.push_back("7");
  AnswerInput in = n.input();
  in.sending = {SendingTrack{"7", "bob", "bob-camera", 1111, 2222, "bobcname"}};
  const Answer a = answer_or_die(offer, in);
  const MediaSection& m = a.sdp.media[2];
  EXPECT_EQ(m.direction, Direction::sendonly);
  EXPECT_EQ(m.msids, (std::vector<Msid>{{"bob", "bob-camera"}}));
  EXPECT_EQ(m.ssrc_groups, (std::vector<SsrcGroup>{{"FID", {1111, 2222}}}));
  EXPECT_EQ(a.media[2].direction, Direction::sendonly);
  EXPECT_FALSE(a.media[2].track_type.has_value());
}

TEST(TrackClassification, FollowsProtocolRule) {
  MediaSection video;
  video.media = "video";
  video.mid = "1";
  EXPECT_EQ(classify_track(video, {}), TrackType::camera);
  video.msids = {Msid{"stream", "my-screen-track"}};
  EXPECT_EQ(classify_track(video, {}), TrackType::screen);
  EXPECT_EQ(classify_track(video, {{"1", TrackType::camera}}), TrackType::camera);
  video.msids = {Msid{"audio-stream", "x"}};
  EXPECT_EQ(classify_track(video, {}), TrackType::audio);
  video.msids.clear();
  video.ssrcs = {Ssrc{1, {Attribute{"msid", "s screenshare", true}}}};
  EXPECT_EQ(classify_track(video, {}), TrackType::screen);
  MediaSection data;
  data.media = "application";
  EXPECT_FALSE(classify_track(data, {}).has_value());
}

TEST(Fingerprints, UsableOnlyWithKnownHashAndRightLength) {
  EXPECT_TRUE(is_usable_fingerprint(test::server_transport().fingerprint));
  Fingerprint sha1{"SHA-1", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"};
  EXPECT_TRUE(is_usable_fingerprint(sha1));
  sha1.value[2] = '-';
  EXPECT_FALSE(is_usable_fingerprint(sha1));
  sha1.value[2] = ':';
  sha1.value[0] = 'G';
  EXPECT_FALSE(is_usable_fingerprint(sha1));
}

}  // namespace
}  // namespace rrtc::sdp
