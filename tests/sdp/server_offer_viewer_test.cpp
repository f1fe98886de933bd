// Issue 16: answers taken liberally (what an answer adds beyond the offer is ignored and
// counted, only what cannot work is refused), the data channel m-line of a server-started
// PeerConnection (a viewer that never offers), and the transport read from a client's answer.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "negotiation_helpers.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "sdp/server_offer.hpp"
#include "server_offer_helpers.hpp"

namespace rrtc::sdp {
namespace {

using test::audio_track;
using test::client_answer;
using test::Negotiation;
using test::video_track;

// A viewer's PeerConnection: the server offers first, with its data channel m-line.
class ViewerOffer : public ::testing::Test {
 protected:
  SessionDescription offer(const std::vector<ForwardedTrack>& tracks, bool data = true) {
    n.transport.session_version++;
    return builder.create_offer(tracks, n.transport, data ? &data_offer : nullptr);
  }

  Negotiation n;
  DataChannelOffer data_offer{5000, 262144};
  ServerOfferBuilder builder;
};

TEST_F(ViewerOffer, FirstOfferHasTheTracksThenADataChannelAllBundled) {
  const SessionDescription o =
      offer({audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)});
  ASSERT_EQ(o.media.size(), 3u);
  EXPECT_EQ(o.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(o.media[0].direction, Direction::sendonly);
  EXPECT_EQ(o.media[1].direction, Direction::sendonly);
  const MediaSection& data = o.media[2];
  EXPECT_EQ(data.media, "application");
  EXPECT_EQ(data.protocol, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(data.sctp_port, 5000);
  EXPECT_EQ(data.max_message_size, 262144u);
  for (const MediaSection& m : o.media) {
    EXPECT_EQ(m.setup, Setup::actpass) << m.mid;
    EXPECT_EQ(m.ice_ufrag, "srvU") << m.mid;
    EXPECT_EQ(m.ice_pwd, "serverpassword0123456789") << m.mid;
    ASSERT_EQ(m.fingerprints.size(), 1u) << m.mid;
  }
  EXPECT_TRUE(o.media[0].rtcp_mux);
  auto again = parse(serialize(o));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, o);
}

TEST_F(ViewerOffer, AcceptedDataChannelIsReportedAndKeptInLaterOffers) {
  SessionDescription answer = client_answer(offer({audio_track("alice", 1000)}));
  answer.media[1].sctp_port = 5001;
  answer.media[1].max_message_size = 65536;
  auto sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_EQ(sent->size(), 1u);  // the track; the data channel is answered_data()
  ASSERT_TRUE(builder.answered_data().has_value());
  EXPECT_EQ(builder.answered_data()->mid, "1");
  EXPECT_EQ(builder.answered_data()->sctp_port, 5001);
  EXPECT_EQ(builder.answered_data()->max_message_size, 65536u);
  // A later offer (a second track) keeps the one data m-line where it was, live.
  const SessionDescription o =
      offer({audio_track("alice", 1000), video_track("bob", TrackType::camera, 3000)});
  ASSERT_EQ(o.media.size(), 3u);
  EXPECT_EQ(o.media[1].media, "application");
  EXPECT_EQ(o.media[1].port, 9);
  EXPECT_EQ(o.media[1].setup, Setup::actpass);
  EXPECT_EQ(o.media[2].msids[0].track_id, "bob-camera");
  ASSERT_TRUE(builder.apply_answer(client_answer(o)));
  EXPECT_TRUE(builder.answered_data().has_value());
}

TEST_F(ViewerOffer, RejectedDataChannelIsNotOfferedAgain) {
  SessionDescription answer = client_answer(offer({audio_track("alice", 1000)}));
  answer.media[1].port = 0;
  ASSERT_TRUE(builder.apply_answer(answer));
  EXPECT_FALSE(builder.answered_data().has_value());
  const SessionDescription o = offer({audio_track("alice", 1000)});
  ASSERT_EQ(o.media.size(), 2u);
  EXPECT_EQ(o.media[1].port, 0);
  EXPECT_EQ(o.bundle_group()->mids, std::vector<std::string>{"0"});
}

TEST_F(ViewerOffer, WithoutDataOnlyTracks) {
  const SessionDescription o = offer({audio_track("alice", 1000)}, false);
  ASSERT_EQ(o.media.size(), 1u);
  ASSERT_TRUE(builder.apply_answer(client_answer(o)));
  EXPECT_FALSE(builder.answered_data().has_value());
}

TEST_F(ViewerOffer, ViewerReofferTakesTheServerDataLineAsItsOwn) {
  const SessionDescription o = offer({audio_track("alice", 1000)});
  ASSERT_TRUE(builder.apply_answer(client_answer(o)));
  // The viewer starts publishing: its offer repeats the server's m-lines (the audio it receives,
  // the data channel) and adds a sendonly camera.
  SessionDescription reoffer = client_answer(o);
  for (MediaSection& m : reoffer.media) m.setup = Setup::actpass;
  MediaSection camera = test::parse_fixture("chromium_offer.sdp").media[1];
  camera.mid = "cam";
  camera.direction = Direction::sendonly;
  camera.ice_ufrag = "cliU";
  camera.ice_pwd = "clientpassword0123456789";
  reoffer.media.push_back(camera);
  reoffer.groups = {Group{"BUNDLE", {"0", "1", "cam"}}};
  AnswerInput input = n.input();
  input.sending = builder.sending_tracks();
  auto answer = answer_offer(reoffer, input);
  ASSERT_TRUE(answer) << answer.error().message();
  ASSERT_EQ(answer->media.size(), 3u);
  EXPECT_EQ(answer->media[0].direction, Direction::sendonly);  // still forwarding alice
  EXPECT_TRUE(answer->media[1].accepted);                      // the data channel
  EXPECT_EQ(answer->media[2].direction, Direction::recvonly);  // the new camera
  builder.on_client_offer_answered(*answer);
  // The next server offer keeps all three m-lines and adds bob's after them.
  const SessionDescription next =
      offer({audio_track("alice", 1000), video_track("bob", TrackType::camera, 3000)});
  ASSERT_EQ(next.media.size(), 4u);
  EXPECT_EQ(next.media[1].media, "application");
  EXPECT_EQ(next.media[2].mid, "cam");
  EXPECT_EQ(next.media[2].direction, Direction::recvonly);
  EXPECT_EQ(next.media[3].msids[0].track_id, "bob-camera");
}

// What Pion (v3.1) answers: an a=extmap the offer did not have.
TEST_F(ViewerOffer, AnswerWithAnUnofferedExtensionIsTakenAndCounted) {
  ForwardedTrack audio = audio_track("alice", 1000);
  audio.extensions = {{1, std::nullopt, uri::kAudioLevel, ""}};
  SessionDescription answer = client_answer(offer({audio}, false));
  answer.media[0].extmaps.push_back({9, std::nullopt, uri::kMid, ""});
  // The same URI under another id than offered is not the offered extension either.
  answer.media[0].extmaps.push_back({3, std::nullopt, uri::kAudioLevel, ""});
  auto sent = builder.apply_answer(parse(serialize(answer)).value());
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_TRUE((*sent)[0].accepted);
  EXPECT_EQ((*sent)[0].extensions, (std::vector<Extmap>{{1, std::nullopt, uri::kAudioLevel, ""}}));
  EXPECT_EQ(builder.ignored().extensions, 2u);
  EXPECT_EQ(builder.ignored().payload_types, 0u);
  EXPECT_EQ(builder.mid_of("alice/audio"), "0");
  // The next answer that adds nothing resets the count.
  ASSERT_TRUE(builder.apply_answer(client_answer(offer({audio}, false))));
  EXPECT_EQ(builder.ignored().extensions, 0u);
}

TEST_F(ViewerOffer, AnswerWithAnUnofferedPayloadTypeKeepsTheOfferedOnes) {
  const ForwardedTrack camera = video_track("alice", TrackType::camera, 2000);
  SessionDescription answer = client_answer(offer({camera}, false));
  answer.media[0].formats.push_back("35");
  answer.media[0].codecs.push_back(test::codec(35, "H264", 90000, 0));
  auto sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_TRUE((*sent)[0].accepted);
  ASSERT_EQ((*sent)[0].codecs.size(), 2u);
  EXPECT_EQ((*sent)[0].codecs[0].payload_type, 96);
  EXPECT_EQ((*sent)[0].codecs[1].payload_type, 97);
  EXPECT_EQ(builder.ignored().payload_types, 1u);
}

TEST_F(ViewerOffer, AnswerKeepingNoOfferedPayloadTypeRejectsThatTrackOnly) {
  SessionDescription answer = client_answer(
      offer({audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)}, false));
  answer.media[1].formats = {"35"};
  answer.media[1].codecs = {test::codec(35, "H264", 90000, 0)};
  auto sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_TRUE((*sent)[0].accepted);
  EXPECT_FALSE((*sent)[1].accepted);
  EXPECT_EQ(builder.ignored().payload_types, 1u);
  EXPECT_EQ(builder.mid_of("alice/audio"), "0");
  EXPECT_FALSE(builder.mid_of("alice/camera1").has_value());
}

TEST_F(ViewerOffer, RenamedPayloadTypeIsStillRefused) {
  SessionDescription answer = client_answer(offer({audio_track("alice", 1000)}, false));
  answer.media[0].find_codec(111)->name = "PCMU";
  auto sent = builder.apply_answer(answer);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::codec_changed);
  EXPECT_EQ(sent.error().message(),
            "answer maps an offered payload type to another codec (\"0 pt 111\")");
  EXPECT_FALSE(builder.has_pending_offer());
}

TEST(AnswerTransport, FromTheBundleTaggedMediaSection) {
  Negotiation n;
  ServerOfferBuilder builder;
  SessionDescription answer = client_answer(builder.create_offer(
      {audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)}, n.transport));
  answer.groups = {Group{"BUNDLE", {"1", "0"}}};
  answer.media[1].ice_ufrag = "tagU";
  answer.media[1].ice_pwd = "taggedpassword0123456789";
  answer.media[1].fingerprints = {n.transport.fingerprint};
  Candidate host = n.transport.candidates[0];
  host.port = 50000;
  answer.media[1].candidates = {host};
  answer.media[1].end_of_candidates = true;
  const auto remote = answer_transport(answer);
  ASSERT_TRUE(remote) << remote.error().message();
  EXPECT_EQ(remote->ice_ufrag, "tagU");
  EXPECT_EQ(remote->ice_pwd, "taggedpassword0123456789");
  EXPECT_EQ(remote->fingerprints, std::vector<Fingerprint>{n.transport.fingerprint});
  ASSERT_EQ(remote->candidates.size(), 1u);
  EXPECT_EQ(remote->candidates[0].port, 50000);
  EXPECT_TRUE(remote->end_of_candidates);
}

TEST(AnswerTransport, RefusesAnAnswerWithoutCredentialsOrFingerprint) {
  Negotiation n;
  ServerOfferBuilder builder;
  const SessionDescription base =
      client_answer(builder.create_offer({audio_track("alice", 1000)}, n.transport));
  SessionDescription no_credentials = base;
  no_credentials.media[0].ice_pwd.clear();
  EXPECT_EQ(answer_transport(no_credentials).error().code, ErrorCode::missing_ice_credentials);
  SessionDescription no_fingerprint = base;
  no_fingerprint.media[0].fingerprints.clear();
  EXPECT_EQ(answer_transport(no_fingerprint).error().code, ErrorCode::missing_fingerprint);
  SessionDescription no_bundle = base;
  no_bundle.groups.clear();
  EXPECT_EQ(answer_transport(no_bundle).error().code, ErrorCode::missing_bundle);
}

}  // namespace
}  // namespace rrtc::sdp
