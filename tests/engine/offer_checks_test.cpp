// The simulcast rules of engine/offer_checks on real Chromium 156 / Firefox 153 ESR captures
// (tests/data/sdp/capture): at most room::kMaxSpatialLayers layers per track in either form,
// a=rid restrictions that parse; checked on the answer made before anything is allocated.
#include "engine/offer_checks.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sdp/capabilities.hpp"
#include "sdp/parser.hpp"
#include "transport/peer_config_from_sdp.hpp"

namespace rrtc::engine {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct Checked {
  std::optional<std::string> media;    // check_media
  std::optional<std::string> history;  // OfferHistory::check, first offer
};

Checked check(const std::string& text) {
  static const sdp::Capabilities caps = sdp::default_capabilities();
  sdp::LocalTransport local;
  local.ice_ufrag = "abcd";
  local.ice_pwd = "0123456789abcdef012345";
  local.fingerprint = {"sha-256", std::string(95, 'A')};
  auto offer = sdp::parse(text, offer_parse_limits());
  EXPECT_TRUE(offer.has_value()) << (offer ? "" : offer.error().message());
  if (!offer) return {};
  auto answer = sdp::answer_offer(*offer, sdp::AnswerInput{&caps, &local, {}, {}});
  EXPECT_TRUE(answer.has_value());
  if (!answer) return {};
  transport::SdpTransportError error = transport::SdpTransportError::None;
  auto config = transport::peer_config_from(answer->remote, dtls::Role::Passive, &error);
  EXPECT_TRUE(config.has_value());
  if (!config) return {};
  OfferHistory history;
  return {check_media(*offer, *answer), history.check(*offer, *answer, *config)};
}

TEST(OfferChecksSimulcast, CapturedSimulcastOffersPass) {
  for (const char* name : {"chromium_offer_simulcast.sdp", "chromium_offer_simulcast_hml.sdp",
                           "firefox_offer_simulcast.sdp", "firefox_offer_simulcast_hml.sdp",
                           "chromium_offer_sim_legacy.sdp"}) {
    SCOPED_TRACE(name);
    const Checked checked = check(fixture(name));
    EXPECT_EQ(checked.media, std::nullopt);
    EXPECT_EQ(checked.history, std::nullopt);
  }
}

TEST(OfferChecksSimulcast, FourRidLayersAreRefused) {
  std::string text = fixture("chromium_offer_simulcast.sdp");
  text = replaced(text, "a=rid:f send\r\n", "a=rid:f send\r\na=rid:x send\r\n");
  text = replaced(text, "a=simulcast:send q;h;f", "a=simulcast:send q;h;f;x");
  const Checked checked = check(text);
  const std::string expected = "simulcast: at most 3 layers per track; m-line '1' offers 4";
  EXPECT_EQ(checked.media, expected);
  EXPECT_EQ(checked.history, expected);
}

TEST(OfferChecksSimulcast, FourSimSsrcsAreRefused) {
  const Checked checked = check(replaced(fixture("chromium_offer_sim_legacy.sdp"),
                                         "a=ssrc-group:SIM 563520879 1486217021 2749362105",
                                         "a=ssrc-group:SIM 563520879 1486217021 2749362105 12345"));
  EXPECT_EQ(checked.media, "simulcast: at most 3 layers per track; m-line '1' offers 4");
}

TEST(OfferChecksSimulcast, FirefoxWithFourLayersIsRefusedToo) {
  std::string text = fixture("firefox_offer_simulcast_hml.sdp");
  text = replaced(text, "a=rid:l send\r\n", "a=rid:l send\r\na=rid:xl send\r\n");
  text = replaced(text, "a=simulcast:send h;m;l", "a=simulcast:send h;m;l;~xl");
  EXPECT_EQ(check(text).media, "simulcast: at most 3 layers per track; m-line '0' offers 4");
}

TEST(OfferChecksSimulcast, RestrictionsThatDoNotParseAreRefused) {
  const Checked checked = check(replaced(fixture("chromium_offer_simulcast.sdp"),
                                         "a=rid:h send\r\n", "a=rid:h send max-width=wide\r\n"));
  EXPECT_EQ(checked.media,
            "simulcast: m-line '1': the restrictions of a=rid:'h' do not parse: 'max-width=wide'");
  // Restrictions that parse are fine.
  const Checked fine = check(replaced(fixture("chromium_offer_simulcast.sdp"), "a=rid:h send\r\n",
                                      "a=rid:h send pt=96;max-width=640;max-height=360\r\n"));
  EXPECT_EQ(fine.media, std::nullopt);
}

TEST(OfferChecksSimulcast, OnlyMediaTheClientSendsIsChecked) {
  // The same four streams on an m-line the client does not send on (recvonly): not a track.
  std::string text = fixture("chromium_offer_simulcast.sdp");
  text = replaced(text, "a=simulcast:send q;h;f", "a=simulcast:send q;h;f;x");
  text = replaced(text, "a=sendonly\r\na=msid:4859dd77-0d0c-4981-b203-4abafe1f005b 2885",
                  "a=recvonly\r\na=msid:4859dd77-0d0c-4981-b203-4abafe1f005b 2885");
  EXPECT_EQ(check(text).media, std::nullopt);
}

}  // namespace
}  // namespace rrtc::engine
