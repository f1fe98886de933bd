// Receiving simulcast (RFC 8853, RFC 8851): the answer to real Chromium 156 and Firefox 153 ESR
// simulcast offers (tests/data/sdp/capture), the legacy a=ssrc-group:SIM form, and the a=rid
// restriction grammar.
#include "sdp/simulcast.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "negotiation_helpers.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::sdp::test {
namespace {

// `fixture` with every occurrence of `from` replaced by `to` (which must occur).
SessionDescription edited(const std::string& fixture, const std::string& from,
                          const std::string& to) {
  std::string text = load_fixture(fixture);
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  while (at != std::string::npos) {
    text.replace(at, from.size(), to);
    at = text.find(from, at + to.size());
  }
  auto parsed = parse(text);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message());
  return parsed ? std::move(*parsed) : SessionDescription{};
}

Answer answer_for(const SessionDescription& offer) {
  Negotiation n;
  auto answer = answer_offer(offer, n.input());
  EXPECT_TRUE(answer.has_value()) << (answer ? "" : answer.error().message());
  return answer ? std::move(*answer) : Answer{};
}

std::vector<std::string> rids_of(const std::vector<SimulcastLayerOffer>& layers) {
  std::vector<std::string> out;
  for (const auto& layer : layers) out.push_back(layer.rid + (layer.paused ? "~" : ""));
  return out;
}

const Extmap* extension(const MediaSection& media, const char* uri) {
  for (const Extmap& ext : media.extmaps) {
    if (ext.uri == uri) return &ext;
  }
  return nullptr;
}

std::string media_text(const Answer& answer, std::size_t index) {
  const std::string text = serialize(answer.sdp);
  const std::string mid = "a=mid:" + answer.sdp.media[index].mid + "\r\n";
  const std::size_t start = text.rfind("m=", text.find(mid));
  return text.substr(start, text.find("m=", start + 2) - start);
}

TEST(SimulcastAnswer, ChromiumQhfIsReceivedAsOffered) {
  const Answer a = answer_for(parse_fixture("chromium_offer_simulcast.sdp"));
  const NegotiatedMedia& video = a.media[1];
  ASSERT_TRUE(video.accepted);
  EXPECT_EQ(rids_of(video.simulcast), (std::vector<std::string>{"q", "h", "f"}));
  const MediaSection& m = a.sdp.media[1];
  EXPECT_EQ(m.rids, (std::vector<Rid>{{"q", RidDirection::recv, ""},
                                      {"h", RidDirection::recv, ""},
                                      {"f", RidDirection::recv, ""}}));
  ASSERT_TRUE(m.simulcast.has_value());
  EXPECT_TRUE(m.simulcast->send.empty());
  EXPECT_EQ(m.simulcast->recv, (std::vector<std::vector<SimulcastRid>>{
                                   {{"q", false}}, {{"h", false}}, {{"f", false}}}));
  // Chromium's ids for rtp-stream-id and repaired-rtp-stream-id are kept.
  ASSERT_NE(extension(m, uri::kRtpStreamId), nullptr);
  EXPECT_EQ(extension(m, uri::kRtpStreamId)->id, 10);
  ASSERT_NE(extension(m, uri::kRepairedRtpStreamId), nullptr);
  EXPECT_EQ(extension(m, uri::kRepairedRtpStreamId)->id, 11);
  const std::string text = media_text(a, 1);
  EXPECT_NE(text.find("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("a=simulcast:recv q;h;f\r\n"), std::string::npos) << text;
  // The audio m-line has no simulcast.
  EXPECT_TRUE(a.media[0].simulcast.empty());
  EXPECT_FALSE(a.sdp.media[0].simulcast.has_value());
}

TEST(SimulcastAnswer, AppNamedRidsKeepTheOffersOrder) {
  for (const char* name : {"chromium_offer_simulcast_hml.sdp", "firefox_offer_simulcast_hml.sdp"}) {
    SCOPED_TRACE(name);
    const Answer a = answer_for(parse_fixture(name));
    ASSERT_EQ(a.media.size(), 1u);
    EXPECT_EQ(rids_of(a.media[0].simulcast), (std::vector<std::string>{"h", "m", "l"}));
    EXPECT_NE(media_text(a, 0).find("a=simulcast:recv h;m;l\r\n"), std::string::npos);
  }
}

TEST(SimulcastAnswer, FirefoxSendonlyExtensionsAreAnsweredRecvonly) {
  const Answer a = answer_for(parse_fixture("firefox_offer_simulcast.sdp"));
  const NegotiatedMedia& video = a.media[1];
  ASSERT_TRUE(video.accepted);
  EXPECT_EQ(rids_of(video.simulcast), (std::vector<std::string>{"q", "h", "f"}));
  const MediaSection& m = a.sdp.media[1];
  ASSERT_NE(extension(m, uri::kRtpStreamId), nullptr);
  EXPECT_EQ(extension(m, uri::kRtpStreamId)->id, 9);
  EXPECT_EQ(extension(m, uri::kRtpStreamId)->direction, Direction::recvonly);
  EXPECT_EQ(extension(m, uri::kRepairedRtpStreamId)->id, 10);
  EXPECT_EQ(extension(m, uri::kTransportWideCc)->id, 7);
  // Firefox's a=ssrc lines: six SSRCs in three FID pairs, none tied to a rid.
  EXPECT_EQ(video.ssrcs.size(), 6u);
  EXPECT_EQ(video.rtx_pairs.size(), 3u);
  EXPECT_TRUE(video.simulcast_ssrcs.empty());
  EXPECT_NE(media_text(a, 1).find("a=simulcast:recv q;h;f\r\n"), std::string::npos);
}

TEST(SimulcastAnswer, AnswersSerializeAndParseBackEqual) {
  for (const char* name : {"chromium_offer_simulcast.sdp", "chromium_offer_simulcast_hml.sdp",
                           "firefox_offer_simulcast.sdp", "firefox_offer_simulcast_hml.sdp",
                           "chromium_offer_sim_legacy.sdp"}) {
    SCOPED_TRACE(name);
    const Answer a = answer_for(parse_fixture(name));
    auto again = parse(serialize(a.sdp));
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, a.sdp);
  }
}

TEST(SimulcastAnswer, PausedRidStaysPaused) {
  const Answer a = answer_for(
      edited("chromium_offer_simulcast.sdp", "a=simulcast:send q;h;f", "a=simulcast:send q;~h;f"));
  EXPECT_EQ(rids_of(a.media[1].simulcast), (std::vector<std::string>{"q", "h~", "f"}));
  EXPECT_NE(media_text(a, 1).find("a=simulcast:recv q;~h;f\r\n"), std::string::npos);
  EXPECT_EQ(a.sdp.media[1].rids.size(), 3u);
}

TEST(SimulcastAnswer, FirstAlternativeOfEachStream) {
  const Answer a = answer_for(
      edited("chromium_offer_simulcast.sdp", "a=simulcast:send q;h;f", "a=simulcast:send q,h;f"));
  EXPECT_EQ(rids_of(a.media[1].simulcast), (std::vector<std::string>{"q", "f"}));
  EXPECT_NE(media_text(a, 1).find("a=simulcast:recv q;f\r\n"), std::string::npos);
}

TEST(SimulcastAnswer, RidWithoutItsLineOrWithUnusableRestrictionsIsLeftOut) {
  // 'h' loses its a=rid line; 'f' may use only ulpfec (120), which the answer does not take.
  SessionDescription offer = edited("chromium_offer_simulcast.sdp", "a=rid:h send\r\n", "");
  for (Rid& rid : offer.media[1].rids) {
    if (rid.id == "f") rid.restrictions = "pt=120;max-width=1280";
    if (rid.id == "q") rid.restrictions = "pt=96,98;max-width=320;max-height=180";
  }
  const Answer a = answer_for(offer);
  ASSERT_EQ(rids_of(a.media[1].simulcast), (std::vector<std::string>{"q"}));
  EXPECT_EQ(a.media[1].simulcast[0].restrictions.max_width, 320u);
  EXPECT_EQ(a.media[1].simulcast[0].restrictions.max_height, 180u);
  EXPECT_EQ(a.media[1].simulcast[0].restrictions.payload_types,
            (std::vector<std::uint8_t>{96, 98}));
  EXPECT_NE(media_text(a, 1).find("a=simulcast:recv q\r\n"), std::string::npos);
}

TEST(SimulcastAnswer, WithoutTheRidExtensionSimulcastIsDeclined) {
  const Answer a =
      answer_for(edited("chromium_offer_simulcast.sdp",
                        "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", ""));
  ASSERT_TRUE(a.media[1].accepted);
  EXPECT_TRUE(a.media[1].simulcast.empty());
  EXPECT_TRUE(a.sdp.media[1].rids.empty());
  EXPECT_FALSE(a.sdp.media[1].simulcast.has_value());
  EXPECT_EQ(a.media[1].rids.size(), 3u);  // what the offer said is still reported
}

TEST(SimulcastAnswer, LegacySimGroupIsReportedWithItsRepairSsrcs) {
  const SessionDescription offer = parse_fixture("chromium_offer_sim_legacy.sdp");
  const Answer a = answer_for(offer);
  const NegotiatedMedia& video = a.media[1];
  ASSERT_TRUE(video.accepted);
  EXPECT_EQ(video.simulcast_ssrcs, (std::vector<std::uint32_t>{563520879, 1486217021, 2749362105}));
  EXPECT_EQ(video.rtx_pairs,
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{
                {563520879, 909328576}, {1486217021, 3120569937}, {2749362105, 406511223}}));
  EXPECT_TRUE(video.simulcast.empty());  // nothing to answer for the SSRC form
  EXPECT_FALSE(a.sdp.media[1].simulcast.has_value());
  EXPECT_EQ(offered_layer_count(offer.media[1]), 3u);
  EXPECT_EQ(offered_layer_count(offer.media[0]), 0u);
}

TEST(SimulcastOffer, LayerCountFromEitherForm) {
  EXPECT_EQ(offered_layer_count(parse_fixture("chromium_offer_simulcast.sdp").media[1]), 3u);
  EXPECT_EQ(offered_layer_count(parse_fixture("firefox_offer_simulcast.sdp").media[1]), 3u);
  EXPECT_EQ(offered_layer_count(parse_fixture("chromium_offer_av.sdp").media[1]), 0u);
  const SessionDescription four =
      edited("chromium_offer_simulcast.sdp", "a=simulcast:send q;h;f", "a=simulcast:send q;h;f;x");
  EXPECT_EQ(offered_layer_count(four.media[1]), 4u);
  const SessionDescription sim4 =
      edited("chromium_offer_sim_legacy.sdp", "a=ssrc-group:SIM 563520879 1486217021 2749362105",
             "a=ssrc-group:SIM 563520879 1486217021 2749362105 77");
  EXPECT_EQ(offered_layer_count(sim4.media[1]), 4u);
}

struct RestrictionCase {
  const char* text;
  std::optional<RidRestrictions> expected;
};

RidRestrictions make(std::vector<std::uint8_t> pts, std::optional<std::uint32_t> width,
                     std::optional<std::uint32_t> height) {
  RidRestrictions r;
  r.payload_types = std::move(pts);
  r.max_width = width;
  r.max_height = height;
  return r;
}

TEST(RidRestrictionsParse, Grammar) {
  RidRestrictions all = make({96, 97}, 1280, 720);
  all.max_fps = 30;
  all.max_fs = 3600;
  all.max_br = 2500000;
  all.max_pps = 1000;
  all.max_bpp = 1.25;
  all.depend = {"q", "h_1"};
  RidRestrictions other;
  other.max_fps = 15;
  const RestrictionCase cases[] = {
      {"", RidRestrictions{}},
      {"max-width=1280;max-height=720", make({}, 1280, 720)},
      {"pt=96", make({96}, std::nullopt, std::nullopt)},
      {"pt=96,97;max-width=1280;max-height=720;max-fps=30;max-fs=3600;max-br=2500000;"
       "max-pps=1000;max-bpp=1.25;depend=q,h_1",
       all},
      {"max-width", RidRestrictions{}},      // no value: no limit
      {"x-vendor=a b:c;max-fps=15", other},  // rid-param-other skipped
      {" max-width=1280 ; max-height=720 ", make({}, 1280, 720)},
      {"max-width=abc", std::nullopt},
      {"max-width=-1", std::nullopt},
      {"max-width=99999999999", std::nullopt},
      {"pt=300", std::nullopt},
      {"pt=", std::nullopt},
      {"pt=96,", std::nullopt},
      {"max-width=1;pt=96", std::nullopt},  // pt= only first
      {";", std::nullopt},
      {"max-width=1;", std::nullopt},
      {"bad!key=1", std::nullopt},
      {"depend=", std::nullopt},
      {"depend=a,,b", std::nullopt},
      {"max-bpp=1.", std::nullopt},
      {"max-bpp=.5", std::nullopt},
  };
  for (const RestrictionCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_rid_restrictions(c.text), c.expected);
  }
}

}  // namespace
}  // namespace rrtc::sdp::test
