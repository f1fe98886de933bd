// From captured offers (Chromium, aiortc) to published tracks, server offers and subscriptions.
#include "room/track_mapping.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "sdp/capabilities.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::room {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sdp::Answer answer(const std::string& name) {
  static const sdp::Capabilities caps = sdp::default_capabilities();
  sdp::LocalTransport local;
  local.ice_ufrag = "abcd";
  local.ice_pwd = "0123456789abcdef012345";
  local.fingerprint = {"sha-256", std::string(95, 'A')};
  auto offer = sdp::parse(fixture(name));
  EXPECT_TRUE(offer.has_value()) << name;
  auto out = sdp::answer_offer(*offer, sdp::AnswerInput{&caps, &local, {}, {}});
  EXPECT_TRUE(out.has_value()) << name;
  return *out;
}

TEST(TrackMapping, ChromiumOfferPublishesAudioAndCameraWithSsrcsAndRtx) {
  const auto published = published_media("p1", answer("chromium_offer_av.sdp"));
  ASSERT_EQ(published.size(), 2u);
  const auto& audio = published[0].track;
  EXPECT_EQ(audio.key, "p1/0");
  EXPECT_EQ(audio.type, TrackType::audio);
  EXPECT_FALSE(audio.video);
  ASSERT_FALSE(audio.codecs.empty());
  EXPECT_EQ(audio.codecs.front().payload_type, 111);
  EXPECT_NE(audio.ssrc, 0u);
  const auto& video = published[1].track;
  EXPECT_EQ(video.type, TrackType::camera);
  EXPECT_EQ(video.codecs.front().payload_type, 96);
  EXPECT_EQ(video.codecs.front().rtx_payload_type, 97);
  EXPECT_EQ(video.codecs.front().video_codec, rtp::VideoCodec::kVp8);
  EXPECT_TRUE(video.codecs.front().nack);
  EXPECT_TRUE(video.codecs.front().pli);
  EXPECT_NE(video.ssrc, 0u);
  EXPECT_NE(video.rtx_ssrc, 0u);
  EXPECT_NE(video.mid_extension_id, 0);
}

TEST(TrackMapping, OfferedTrackUsesTheSubscribersOwnNumbers) {
  const auto chrome = published_media("p1", answer("chromium_offer_av.sdp"));
  const auto aiortc = published_media("p2", answer("aiortc_offer.sdp"));
  ASSERT_EQ(aiortc.size(), 2u);
  std::vector<sdp::NegotiatedMedia> aiortc_media{aiortc[0].media, aiortc[1].media};
  // Chrome's VP8 (96) offered to aiortc, which publishes VP8 as 97.
  const auto offered = offer_track("p1", chrome[1], aiortc_media, 1234);
  ASSERT_FALSE(offered.track.codecs.empty());
  EXPECT_EQ(offered.track.codecs.front().name, "VP8");
  EXPECT_EQ(offered.track.codecs.front().payload_type, 97);
  EXPECT_EQ(offered.payload_types.front(), (std::pair<std::uint8_t, std::uint8_t>{96, 97}));
  EXPECT_EQ(offered.track.ssrc, 1234u);
  EXPECT_EQ(sdp::msid_track_id(offered.track), "p1-camera");
  // Issue 17: transport-wide-cc is offered (a slot the server stamps with its own sequence
  // numbers), with rtcp-fb transport-cc on every codec; mid is still per hop and removed.
  for (const auto& codec : offered.track.codecs) {
    EXPECT_NE(codec.name, "rtx");
    EXPECT_EQ(std::count(codec.feedback.begin(), codec.feedback.end(),
                         sdp::RtcpFeedback{"transport-cc", ""}),
              1)
        << codec.name;
  }
  std::size_t transport_cc = 0;
  for (const auto& ext : offered.track.extensions) {
    EXPECT_NE(ext.uri, sdp::uri::kMid);
    if (ext.uri == sdp::uri::kTransportWideCc) {
      ++transport_cc;
      EXPECT_EQ(ext.id, 3);  // the server's id: aiortc uses 3 for nothing
    }
  }
  EXPECT_EQ(transport_cc, 1u);
  EXPECT_EQ(offered.extension_ids.back(), (std::pair<std::uint16_t, std::uint16_t>{3, 3}));
  // With no media of its own the subscriber gets the server's numbers.
  const auto plain = offer_track("p1", chrome[1], {}, 99);
  EXPECT_EQ(plain.track.codecs.front().payload_type, 96);
}

TEST(TrackMapping, ExtensionIdsMeanOneUriAcrossTheSubscribersBundle) {
  // aiortc's own offer gives ssrc-audio-level and abs-send-time the same id (2) in its audio
  // and video m-lines: forwarded tracks must not repeat that.
  const auto chrome = published_media("p1", answer("chromium_offer_av.sdp"));
  const auto aiortc = published_media("p2", answer("aiortc_offer.sdp"));
  std::vector<sdp::NegotiatedMedia> aiortc_media{aiortc[0].media, aiortc[1].media};
  const auto audio = offer_track("p1", chrome[0], aiortc_media, 1);
  const auto video = offer_track("p1", chrome[1], aiortc_media, 2);
  std::map<std::uint16_t, std::string> meaning;
  for (const auto* track : {&audio, &video}) {
    for (const auto& ext : track->track.extensions) {
      const auto [it, inserted] = meaning.emplace(ext.id, ext.uri);
      EXPECT_EQ(it->second, ext.uri) << "id " << ext.id;
      for (const auto& media : aiortc_media) {
        for (const auto& own : media.extensions) {
          if (own.id == ext.id) EXPECT_EQ(own.uri, ext.uri) << "id " << ext.id;
        }
      }
    }
  }
  EXPECT_GE(meaning.size(), 2u);
}

TEST(TrackMapping, SubscriptionKeepsWhatTheAnswerKept) {
  const auto chrome = published_media("p1", answer("chromium_offer_av.sdp"));
  const auto offered = offer_track("p1", chrome[1], {}, 77);
  sdp::SentMedia sent;
  sent.mid = "3";
  sent.track_id = offered.track.id;
  sent.accepted = true;
  sent.codecs = {offered.track.codecs.front()};  // only VP8 kept
  sent.extensions = offered.track.extensions;
  const auto sub = subscription_for(offered, sent);
  EXPECT_EQ(sub.track_key, "p1/1");
  EXPECT_EQ(sub.ssrc, 77u);
  EXPECT_EQ(sub.payload_types[96], 96);
  EXPECT_EQ(sub.payload_types[102], kNoPayloadType);  // H264 was offered, not kept
  for (const auto& [from, to] : offered.extension_ids) EXPECT_EQ(sub.extension_ids[from], to);
  EXPECT_EQ(sub.extension_ids[chrome[1].track.mid_extension_id], 0);
  EXPECT_FALSE(sub.nack);  // the answer did not say nack
  sent.nack = true;
  EXPECT_TRUE(subscription_for(offered, sent).nack);
}

TEST(TrackMapping, ServerOfferForForwardedTracksParsesAgain) {
  const auto chrome = published_media("p1", answer("chromium_offer_av.sdp"));
  const auto subscriber = answer("aiortc_offer.sdp");
  sdp::ServerOfferBuilder builder;
  builder.on_client_offer_answered(subscriber);
  sdp::LocalTransport local;
  local.ice_ufrag = "abcd";
  local.ice_pwd = "0123456789abcdef012345";
  local.fingerprint = {"sha-256", std::string(95, 'A')};
  local.session_version = 2;
  std::vector<sdp::ForwardedTrack> tracks;
  for (const auto& media : chrome) tracks.push_back(offer_track("p1", media, {}, 5).track);
  const auto offer = builder.create_offer(tracks, local);
  const auto text = sdp::serialize(offer);
  const auto reparsed = sdp::parse(text);
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_NE(text.find("a=msid:p1 p1-audio"), std::string::npos);
  EXPECT_NE(text.find("a=msid:p1 p1-camera"), std::string::npos);
}

}  // namespace
}  // namespace rrtc::room
