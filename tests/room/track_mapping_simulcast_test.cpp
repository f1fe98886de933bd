// Simulcast layers and transport-wide-cc through track_mapping, from real Chromium 156 and
// Firefox 153 ESR captures (tests/data/sdp/capture): what published_media() makes of a rid or
// SIM simulcast m-line, how a simulcast track is offered to subscribers (one ordinary m-line),
// and how the publisher's transport-wide-cc element becomes the subscriber's slot.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "room/track_mapping.hpp"
#include "sdp/capabilities.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::room {
namespace {

std::string fixture_text(const std::string& name) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sdp::Answer answer_text(const std::string& text) {
  static const sdp::Capabilities caps = sdp::default_capabilities();
  sdp::LocalTransport local;
  local.ice_ufrag = "abcd";
  local.ice_pwd = "0123456789abcdef012345";
  local.fingerprint = {"sha-256", std::string(95, 'A')};
  auto offer = sdp::parse(text);
  EXPECT_TRUE(offer.has_value());
  if (!offer) return {};
  auto out = sdp::answer_offer(*offer, sdp::AnswerInput{&caps, &local, {}, {}});
  EXPECT_TRUE(out.has_value());
  return out ? std::move(*out) : sdp::Answer{};
}

std::vector<PublishedMedia> publish(const std::string& participant, const std::string& name) {
  return published_media(participant, answer_text(fixture_text(name)));
}

std::vector<sdp::NegotiatedMedia> media_of(const std::vector<PublishedMedia>& published) {
  std::vector<sdp::NegotiatedMedia> out;
  for (const auto& p : published) out.push_back(p.media);
  return out;
}

std::vector<std::string> rids(const PublishedTrack& track) {
  std::vector<std::string> out;
  for (const auto& layer : track.layers) out.push_back(layer.rid);
  return out;
}

// What a browser answers to an offered track: everything kept.
sdp::SentMedia keep_all(const OfferedTrack& offered) {
  sdp::SentMedia sent;
  sent.mid = "7";
  sent.track_id = offered.track.id;
  sent.accepted = true;
  sent.codecs = offered.track.codecs;
  sent.extensions = offered.track.extensions;
  sent.nack = true;
  sent.transport_cc = true;
  return sent;
}

const sdp::Extmap* find_extension(const OfferedTrack& offered, std::string_view uri) {
  const auto& exts = offered.track.extensions;
  const auto it =
      std::find_if(exts.begin(), exts.end(), [&](const sdp::Extmap& e) { return e.uri == uri; });
  return it == exts.end() ? nullptr : &*it;
}

bool has_transport_cc_feedback(const OfferedTrack& offered) {
  return std::all_of(
      offered.track.codecs.begin(), offered.track.codecs.end(), [](const sdp::Codec& c) {
        return std::any_of(c.feedback.begin(), c.feedback.end(),
                           [](auto& fb) { return fb.type == "transport-cc" && fb.param.empty(); });
      });
}

TEST(TrackMappingSimulcast, ChromiumRidLayersHaveNoSsrcs) {
  const auto published = publish("p1", "chromium_offer_simulcast.sdp");
  ASSERT_EQ(published.size(), 2u);
  const PublishedTrack& video = published[1].track;
  EXPECT_EQ(rids(video), (std::vector<std::string>{"q", "h", "f"}));
  for (const auto& layer : video.layers) {
    EXPECT_EQ(layer.ssrc, 0u) << layer.rid;
    EXPECT_EQ(layer.rtx_ssrc, 0u) << layer.rid;
    EXPECT_EQ(layer.max_width, 0u) << layer.rid;
    EXPECT_EQ(layer.max_height, 0u) << layer.rid;
  }
  EXPECT_EQ(video.ssrc, 0u);
  EXPECT_EQ(video.rtx_ssrc, 0u);
  EXPECT_EQ(video.rid_extension_id, 10);
  EXPECT_EQ(video.repaired_rid_extension_id, 11);
  EXPECT_EQ(video.transport_cc_extension_id, 3);
  EXPECT_TRUE(video.transport_cc);
  // Chromium's audio: one stream, transport-cc on Opus too.
  const PublishedTrack& audio = published[0].track;
  EXPECT_TRUE(audio.layers.empty());
  EXPECT_EQ(audio.ssrc, 3535845683u);
  EXPECT_EQ(audio.transport_cc_extension_id, 3);
  EXPECT_TRUE(audio.transport_cc);
  EXPECT_EQ(audio.rid_extension_id, 0);
}

struct ExpectedCodec {
  std::uint8_t payload_type;
  std::uint8_t rtx_payload_type;
  rtp::VideoCodec codec;
};

// The whole PublishedTrack of Chromium's rid-simulcast video m-line, field by field.
TEST(TrackMappingSimulcast, ChromiumSimulcastOfferGivesThisExactPublishedTrack) {
  const auto published = publish("alice", "chromium_offer_simulcast.sdp");
  ASSERT_EQ(published.size(), 2u);
  const PublishedTrack& t = published[1].track;
  EXPECT_EQ(t.key, "alice/1");
  EXPECT_EQ(t.mid, "1");
  EXPECT_EQ(t.type, TrackType::camera);
  EXPECT_TRUE(t.video);
  EXPECT_EQ(published[1].ordinal, 1u);
  // Server preference: VP8, VP9 profile 0, VP9 profile 2, H264 constrained baseline in
  // packetization modes 1 and 0 (Chromium's 42e01f, not its 42001f baseline), AV1; each with
  // Chromium's RTX, all with nack, nack pli and ccm fir.
  const ExpectedCodec expected[] = {
      {96, 97, rtp::VideoCodec::kVp8},    {98, 99, rtp::VideoCodec::kVp9},
      {100, 101, rtp::VideoCodec::kVp9},  {108, 109, rtp::VideoCodec::kH264},
      {114, 115, rtp::VideoCodec::kH264}, {45, 46, rtp::VideoCodec::kAv1},
  };
  ASSERT_EQ(t.codecs.size(), std::size(expected));
  for (std::size_t i = 0; i < t.codecs.size(); ++i) {
    SCOPED_TRACE(i);
    const PublishedCodec& c = t.codecs[i];
    EXPECT_EQ(c.payload_type, expected[i].payload_type);
    EXPECT_EQ(c.rtx_payload_type, expected[i].rtx_payload_type);
    EXPECT_EQ(c.clock_rate, 90000u);
    EXPECT_EQ(c.video_codec, expected[i].codec);
    EXPECT_TRUE(c.nack);
    EXPECT_TRUE(c.pli);
    EXPECT_TRUE(c.fir);
  }
  EXPECT_EQ(t.ssrc, 0u);
  EXPECT_EQ(t.rtx_ssrc, 0u);
  EXPECT_EQ(t.mid_extension_id, 4);
  EXPECT_EQ(t.audio_level_extension_id, 0);
  EXPECT_TRUE(t.remb);
  ASSERT_EQ(t.layers.size(), 3u);
  const char* const rid_order[] = {"q", "h", "f"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.layers[i].rid, rid_order[i]);
    EXPECT_EQ(t.layers[i].ssrc, 0u);
    EXPECT_EQ(t.layers[i].rtx_ssrc, 0u);
    EXPECT_EQ(t.layers[i].max_width, 0u);
    EXPECT_EQ(t.layers[i].max_height, 0u);
  }
  EXPECT_EQ(t.rid_extension_id, 10);
  EXPECT_EQ(t.repaired_rid_extension_id, 11);
  EXPECT_EQ(t.transport_cc_extension_id, 3);
  EXPECT_TRUE(t.transport_cc);
  // The signaling name of the track.
  const PublishedTrackInfo info = track_info("alice", published[1]);
  EXPECT_EQ(info.track_id, "alice-camera");
  EXPECT_EQ(info.codec, "VP8");
}

TEST(TrackMappingSimulcast, FirefoxSsrcLinesDoNotNameTheLayers) {
  const auto published = publish("p1", "firefox_offer_simulcast.sdp");
  ASSERT_EQ(published.size(), 2u);
  const PublishedTrack& video = published[1].track;
  EXPECT_EQ(rids(video), (std::vector<std::string>{"q", "h", "f"}));
  // Six a=ssrc lines in three FID groups, none tied to a rid: learned from the rid extension.
  EXPECT_EQ(video.ssrc, 0u);
  EXPECT_EQ(video.rtx_ssrc, 0u);
  for (const auto& layer : video.layers) EXPECT_EQ(layer.ssrc, 0u) << layer.rid;
  EXPECT_EQ(video.rid_extension_id, 9);
  EXPECT_EQ(video.repaired_rid_extension_id, 10);
  EXPECT_EQ(video.transport_cc_extension_id, 7);
  EXPECT_TRUE(video.transport_cc);
  EXPECT_EQ(published[0].track.transport_cc_extension_id, 7);
  EXPECT_TRUE(published[0].track.transport_cc);
}

TEST(TrackMappingSimulcast, AppNamedRidsKeepTheOffersOrder) {
  for (const char* name : {"chromium_offer_simulcast_hml.sdp", "firefox_offer_simulcast_hml.sdp"}) {
    SCOPED_TRACE(name);
    const auto published = publish("p1", name);
    ASSERT_EQ(published.size(), 1u);
    EXPECT_EQ(rids(published[0].track), (std::vector<std::string>{"h", "m", "l"}));
  }
}

TEST(TrackMappingSimulcast, LegacySimGroupGivesLayersWithSsrcsAndRepairSsrcs) {
  const auto published = publish("p1", "chromium_offer_sim_legacy.sdp");
  ASSERT_EQ(published.size(), 2u);
  const PublishedTrack& video = published[1].track;
  ASSERT_EQ(video.layers.size(), 3u);
  const std::uint32_t ssrcs[] = {563520879, 1486217021, 2749362105};
  const std::uint32_t repair[] = {909328576, 3120569937, 406511223};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(video.layers[i].rid, "");
    EXPECT_EQ(video.layers[i].ssrc, ssrcs[i]);
    EXPECT_EQ(video.layers[i].rtx_ssrc, repair[i]);
  }
  EXPECT_EQ(video.ssrc, 0u);
  EXPECT_EQ(video.rtx_ssrc, 0u);
}

TEST(TrackMappingSimulcast, RidRestrictionsGiveTheLayersLimits) {
  std::string text = fixture_text("chromium_offer_simulcast.sdp");
  const auto set = [&](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  set("a=rid:q send\r\n", "a=rid:q send max-width=320;max-height=180;max-fps=15\r\n");
  set("a=rid:h send\r\n", "a=rid:h send pt=96;max-width=640\r\n");
  const auto published = published_media("p1", answer_text(text));
  ASSERT_EQ(published.size(), 2u);
  const auto& layers = published[1].track.layers;
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].max_width, 320u);
  EXPECT_EQ(layers[0].max_height, 180u);
  EXPECT_EQ(layers[1].max_width, 640u);
  EXPECT_EQ(layers[1].max_height, 0u);
  EXPECT_EQ(layers[2].max_width, 0u);
}

TEST(TrackMappingSimulcast, SimulcastTrackIsOfferedAsOneOrdinaryStream) {
  const auto chrome = publish("p1", "chromium_offer_simulcast.sdp");
  const auto subscriber = publish("p2", "chromium_offer_av.sdp");
  const OfferedTrack offered = offer_track("p1", chrome[1], media_of(subscriber), 4242);
  EXPECT_EQ(offered.track.ssrc, 4242u);
  EXPECT_EQ(offered.track.rtx_ssrc, 0u);
  for (const char* per_hop :
       {sdp::uri::kRtpStreamId, sdp::uri::kRepairedRtpStreamId, sdp::uri::kMid}) {
    EXPECT_EQ(find_extension(offered, per_hop), nullptr) << per_hop;
  }
  sdp::ServerOfferBuilder builder;
  builder.on_client_offer_answered(answer_text(fixture_text("chromium_offer_av.sdp")));
  sdp::LocalTransport local;
  local.ice_ufrag = "abcd";
  local.ice_pwd = "0123456789abcdef012345";
  local.fingerprint = {"sha-256", std::string(95, 'A')};
  local.session_version = 2;
  const std::string text = sdp::serialize(builder.create_offer({offered.track}, local));
  EXPECT_EQ(text.find("a=rid:"), std::string::npos);
  EXPECT_EQ(text.find("a=simulcast:"), std::string::npos);
  EXPECT_EQ(text.find("a=ssrc-group:SIM"), std::string::npos);
  const auto reparsed = sdp::parse(text);
  ASSERT_TRUE(reparsed.has_value());
  const sdp::MediaSection& m = reparsed->media.back();
  ASSERT_EQ(m.ssrcs.size(), 1u);
  EXPECT_EQ(m.ssrcs[0].ssrc, 4242u);
}

TEST(TrackMappingTransportCc, PublishersIdBecomesTheSubscribersSlot) {
  // Firefox publishes transport-wide-cc as 7; a Chromium subscriber uses 3 for it.
  const auto firefox = publish("p1", "firefox_offer_simulcast.sdp");
  const auto chrome = publish("p2", "chromium_offer_av.sdp");
  for (std::size_t i = 0; i < 2; ++i) {  // audio (Opus) and video alike
    SCOPED_TRACE(i);
    const OfferedTrack offered = offer_track("p1", firefox[i], media_of(chrome), 100 + i);
    const sdp::Extmap* tcc = find_extension(offered, sdp::uri::kTransportWideCc);
    ASSERT_NE(tcc, nullptr);
    EXPECT_EQ(tcc->id, 3);
    EXPECT_TRUE(has_transport_cc_feedback(offered));
    const Subscription sub = subscription_for(offered, keep_all(offered));
    EXPECT_EQ(sub.extension_ids[7], 3);
    EXPECT_EQ(sub.transport_cc_extension_id, 3);
    EXPECT_TRUE(sub.transport_cc);
    EXPECT_EQ(sub.extension_ids[firefox[i].track.mid_extension_id], 0);
  }
  // One id for the whole BUNDLE: a subscriber with no media of its own gets the server's (3).
  const OfferedTrack plain = offer_track("p1", firefox[1], {}, 5);
  EXPECT_EQ(find_extension(plain, sdp::uri::kTransportWideCc)->id, 3);
}

TEST(TrackMappingTransportCc, AnswerWithoutTheExtensionLeavesNoSlot) {
  const auto chrome = publish("p1", "chromium_offer_av.sdp");
  const OfferedTrack offered = offer_track("p1", chrome[1], {}, 9);
  sdp::SentMedia sent = keep_all(offered);
  sent.extensions.erase(
      std::remove_if(sent.extensions.begin(), sent.extensions.end(),
                     [](const sdp::Extmap& e) { return e.uri == sdp::uri::kTransportWideCc; }),
      sent.extensions.end());
  const Subscription sub = subscription_for(offered, sent);
  EXPECT_EQ(sub.extension_ids[3], 0);
  EXPECT_EQ(sub.transport_cc_extension_id, 0);
  EXPECT_FALSE(sub.transport_cc);  // feedback without sequence numbers would be empty
  // The extension kept, the feedback not: the slot is there, the subscriber sends no feedback.
  sent = keep_all(offered);
  sent.transport_cc = false;
  const Subscription no_feedback = subscription_for(offered, sent);
  EXPECT_EQ(no_feedback.extension_ids[3], 3);
  EXPECT_EQ(no_feedback.transport_cc_extension_id, 3);
  EXPECT_FALSE(no_feedback.transport_cc);
}

TEST(TrackMappingTransportCc, PublisherWithoutItIsOfferedWithoutIt) {
  // python3-aiortc negotiates neither the extension nor the feedback: no slot to stamp, so
  // neither is offered and the subscriber's REMB is the estimate for that track.
  const auto aiortc = publish("p1", "aiortc_offer.sdp");
  const auto chrome = publish("p2", "chromium_offer_av.sdp");
  ASSERT_EQ(aiortc.size(), 2u);
  for (const auto& track : aiortc) {
    EXPECT_EQ(track.track.transport_cc_extension_id, 0);
    EXPECT_FALSE(track.track.transport_cc);
    const OfferedTrack offered = offer_track("p1", track, media_of(chrome), 11);
    EXPECT_EQ(find_extension(offered, sdp::uri::kTransportWideCc), nullptr);
    for (const auto& codec : offered.track.codecs) {
      for (const auto& fb : codec.feedback) EXPECT_NE(fb.type, "transport-cc");
    }
    const Subscription sub = subscription_for(offered, keep_all(offered));
    EXPECT_EQ(sub.transport_cc_extension_id, 0);
    EXPECT_FALSE(sub.transport_cc);
  }
}

}  // namespace
}  // namespace rrtc::room
