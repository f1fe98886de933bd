// The server's offers to a subscriber: stable mids, port 0 for removed tracks, slot recycling,
// and the checks on the client's answer.
#include "sdp/server_offer.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "negotiation_helpers.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "server_offer_helpers.hpp"

namespace rrtc::sdp {
namespace {

using test::audio_track;
using test::client_answer;
using test::Negotiation;
using test::video_track;

class ServerOffer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto answer = answer_offer(test::parse_fixture("chromium_offer.sdp"), n.input());
    ASSERT_TRUE(answer);
    builder.on_client_offer_answered(*answer);
  }

  SessionDescription offer(const std::vector<ForwardedTrack>& tracks) {
    n.transport.session_version++;
    return builder.create_offer(tracks, n.transport);
  }

  std::vector<SentMedia> negotiate(const std::vector<ForwardedTrack>& tracks) {
    auto sent = builder.apply_answer(client_answer(offer(tracks)));
    EXPECT_TRUE(sent) << (sent ? "" : sent.error().message());
    return sent ? *sent : std::vector<SentMedia>{};
  }

  Negotiation n;
  ServerOfferBuilder builder;
};

TEST_F(ServerOffer, AddsOneSendonlyMediaSectionPerTrack) {
  const SessionDescription o =
      offer({audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)});
  ASSERT_EQ(o.media.size(), 6u);
  EXPECT_EQ(o.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  for (const MediaSection& m : o.media) {
    EXPECT_EQ(m.setup, Setup::actpass) << m.mid;
    EXPECT_EQ(m.ice_ufrag, "srvU");
  }
  // The client's own m-lines stay as negotiated: recvonly on the server side.
  EXPECT_EQ(o.media[0].direction, Direction::recvonly);
  EXPECT_EQ(o.media[3].sctp_port, 5000);
  const MediaSection& audio = o.media[4];
  EXPECT_EQ(audio.mid, "4");
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(audio.direction, Direction::sendonly);
  EXPECT_EQ(audio.msids, (std::vector<Msid>{{"alice", "alice-audio"}}));
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_EQ(audio.formats, std::vector<std::string>{"111"});
  const MediaSection& video = o.media[5];
  EXPECT_EQ(video.msids, (std::vector<Msid>{{"alice", "alice-camera"}}));
  EXPECT_EQ(video.ssrc_groups, (std::vector<SsrcGroup>{{"FID", {2000, 2001}}}));
  ASSERT_EQ(video.ssrcs.size(), 2u);
  EXPECT_EQ(video.ssrcs[1].attributes[1], (Attribute{"msid", "alice alice-camera", true}));
  auto again = parse(serialize(o));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, o);
}

TEST_F(ServerOffer, SentMediaSaysWhetherTheAnswerKeptNack) {
  // A browser answers with the feedback it supports: nack for video, none for Opus.
  SessionDescription answer = client_answer(
      offer({audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)}));
  auto sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_FALSE((*sent)[0].nack);  // audio
  EXPECT_TRUE((*sent)[1].nack);   // video
  // The same offer answered without rtcp-fb: nothing to keep copies for.
  answer = client_answer(
      offer({audio_track("alice", 1000), video_track("alice", TrackType::camera, 2000)}));
  for (MediaSection& m : answer.media) {
    for (Codec& c : m.codecs) c.feedback.clear();
  }
  sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE((*sent)[1].nack);
}

TEST_F(ServerOffer, SentMediaSaysWhetherTheAnswerKeptTransportCc) {
  ForwardedTrack video = video_track("alice", TrackType::camera, 2000);
  video.codecs[0].feedback.push_back({"transport-cc", ""});
  auto sent = builder.apply_answer(client_answer(offer({video})));
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_TRUE(sent->front().transport_cc);
  // Answered without it.
  SessionDescription answer = client_answer(offer({video}));
  answer.media.back().codecs[0].feedback = {{"nack", ""}};
  sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE(sent->front().transport_cc);
  EXPECT_TRUE(sent->front().nack);
  // Answered with it although the offer did not list it: ignored.
  const ForwardedTrack plain = video_track("alice", TrackType::camera, 2000);
  answer = client_answer(offer({plain}));
  answer.media.back().codecs[0].feedback.push_back({"transport-cc", ""});
  sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE(sent->front().transport_cc);
}

TEST_F(ServerOffer, MsidCountsFurtherTracksOfOneType) {
  const ForwardedTrack screen2 = video_track("bob", TrackType::screen, 3000, 2);
  EXPECT_EQ(msid_track_id(screen2), "bob-screen-2");
  const SessionDescription o = offer({screen2});
  EXPECT_EQ(o.media.back().msids[0].track_id, "bob-screen-2");
}

TEST_F(ServerOffer, MidsAreStableAcrossOffers) {
  const auto tracks = std::vector<ForwardedTrack>{audio_track("alice", 1000),
                                                  video_track("alice", TrackType::camera, 2000)};
  const auto sent = negotiate(tracks);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(sent[0].accepted);
  EXPECT_EQ(sent[1].codecs.size(), 2u);
  EXPECT_EQ(builder.mid_of("alice/audio"), "4");
  auto more = tracks;
  more.push_back(video_track("bob", TrackType::camera, 5000));
  const SessionDescription o = offer(more);
  ASSERT_EQ(o.media.size(), 7u);
  EXPECT_EQ(o.media[4].mid, "4");
  EXPECT_EQ(o.media[5].mid, "5");
  EXPECT_EQ(o.media[6].mid, "6");
}

TEST_F(ServerOffer, RemovedTrackGetsPortZeroThenItsSlotIsRecycled) {
  const ForwardedTrack audio = audio_track("alice", 1000);
  const ForwardedTrack camera = video_track("alice", TrackType::camera, 2000);
  negotiate({audio, camera});
  // Removing the camera: same m-line count, port 0, out of BUNDLE.
  const SessionDescription removed = offer({audio});
  ASSERT_EQ(removed.media.size(), 6u);
  EXPECT_EQ(removed.media[5].port, 0);
  EXPECT_EQ(removed.media[5].mid, "5");
  EXPECT_EQ(removed.bundle_group()->mids.size(), 5u);
  ASSERT_TRUE(builder.apply_answer(client_answer(removed)));
  EXPECT_FALSE(builder.mid_of(camera.id).has_value());
  // The next added track takes the free slot with a new mid.
  const ForwardedTrack screen = video_track("bob", TrackType::screen, 7000);
  const SessionDescription reused = offer({audio, screen});
  ASSERT_EQ(reused.media.size(), 6u);
  EXPECT_EQ(reused.media[5].mid, "6");
  EXPECT_EQ(reused.media[5].port, 9);
  EXPECT_EQ(reused.media[5].msids[0].track_id, "bob-screen");
  ASSERT_TRUE(builder.apply_answer(client_answer(reused)));
  EXPECT_EQ(builder.mid_of(screen.id), "6");
}

TEST_F(ServerOffer, SlotFreedInThisOfferIsNotReusedInTheSameOffer) {
  const ForwardedTrack camera = video_track("alice", TrackType::camera, 2000);
  negotiate({camera});
  const SessionDescription o = offer({video_track("bob", TrackType::camera, 3000)});
  ASSERT_EQ(o.media.size(), 6u);
  EXPECT_EQ(o.media[4].port, 0);
  EXPECT_EQ(o.media[5].mid, "5");
  EXPECT_EQ(o.media[5].msids[0].stream_id, "bob");
}

TEST_F(ServerOffer, RollbackDropsThePendingOffer) {
  offer({audio_track("alice", 1000)});
  EXPECT_TRUE(builder.has_pending_offer());
  builder.rollback();
  EXPECT_FALSE(builder.has_pending_offer());
  EXPECT_FALSE(builder.mid_of("alice/audio").has_value());
  auto sent = builder.apply_answer(test::parse_fixture("chromium_answer.sdp"));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::no_pending_offer);
}

TEST_F(ServerOffer, SendingTracksFeedTheAnswerToAClientReoffer) {
  negotiate({video_track("alice", TrackType::camera, 2000)});
  const auto sending = builder.sending_tracks();
  ASSERT_EQ(sending.size(), 1u);
  EXPECT_EQ(sending[0].mid, "4");
  EXPECT_EQ(sending[0].track_id, "alice-camera");
  EXPECT_EQ(sending[0].rtx_ssrc, 2001u);
}

struct AnswerCase {
  const char* name;
  void (*mutate)(SessionDescription&);
  ErrorCode code;
};

class ServerOfferAnswers : public ServerOffer, public ::testing::WithParamInterface<AnswerCase> {};

TEST_P(ServerOfferAnswers, BadAnswerIsRefusedAndStateKept) {
  const SessionDescription o = offer({video_track("alice", TrackType::camera, 2000)});
  SessionDescription answer = client_answer(o);
  GetParam().mutate(answer);
  auto sent = builder.apply_answer(answer);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, GetParam().code) << sent.error().message();
  EXPECT_FALSE(builder.has_pending_offer());
  EXPECT_FALSE(builder.mid_of("alice/camera1").has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ServerOfferAnswers,
    ::testing::Values(
        AnswerCase{"payload_type_renamed",
                   [](SessionDescription& a) { a.media[4].find_codec(96)->name = "VP9"; },
                   ErrorCode::codec_changed},
        AnswerCase{"missing_media_section", [](SessionDescription& a) { a.media.pop_back(); },
                   ErrorCode::mline_count_mismatch},
        AnswerCase{"mid_changed", [](SessionDescription& a) { a.media[4].mid = "z"; },
                   ErrorCode::mid_mismatch}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(ServerOffer, ClientRejectingATrackFreesItsSlot) {
  const SessionDescription o = offer({video_track("alice", TrackType::camera, 2000)});
  SessionDescription answer = client_answer(o);
  answer.media[4].port = 0;
  auto sent = builder.apply_answer(answer);
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_FALSE((*sent)[0].accepted);
  EXPECT_FALSE(builder.mid_of("alice/camera1").has_value());
  EXPECT_TRUE(builder.sending_tracks().empty());
}

TEST_F(ServerOffer, LaterAnswersCannotFlipTheDtlsRole) {
  // webrtcbin answers later offers with a flipped a=setup; the role of the first negotiation
  // (server passive) stays and the answer is taken.
  SessionDescription answer = client_answer(offer({audio_track("alice", 1000)}));
  for (MediaSection& m : answer.media) m.setup = Setup::passive;
  ASSERT_TRUE(builder.apply_answer(answer));
  EXPECT_EQ(builder.mid_of("alice/audio"), "4");
}

class ServerOfferFirstRole : public ::testing::TestWithParam<Setup> {};

TEST_P(ServerOfferFirstRole, FirstAnswerMustBeActive) {
  Negotiation n;
  ServerOfferBuilder builder;
  SessionDescription answer =
      client_answer(builder.create_offer({audio_track("carol", 1)}, n.transport));
  answer.media[0].setup = GetParam();
  auto sent = builder.apply_answer(answer);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::bad_dtls_role);
  EXPECT_FALSE(builder.mid_of("carol/audio").has_value());
}

INSTANTIATE_TEST_SUITE_P(Roles, ServerOfferFirstRole,
                         ::testing::Values(Setup::actpass, Setup::passive, Setup::holdconn));

TEST(ServerOfferFresh, OfferBeforeAnyClientOffer) {
  Negotiation n;
  ServerOfferBuilder builder;
  const SessionDescription o = builder.create_offer({audio_track("carol", 1)}, n.transport);
  ASSERT_EQ(o.media.size(), 1u);
  EXPECT_EQ(o.media[0].mid, "0");
  EXPECT_EQ(o.bundle_group()->mids, std::vector<std::string>{"0"});
  ASSERT_TRUE(builder.apply_answer(client_answer(o)));
  EXPECT_EQ(builder.mid_of("carol/audio"), "0");
}

}  // namespace
}  // namespace rrtc::sdp
