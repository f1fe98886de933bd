// The load generator's SDP against the server's own negotiator and offer builder (src/sdp): what
// it offers must be answered with its tracks accepted, and its answers to server offers must be
// accepted by ServerOfferBuilder::apply_answer.
#include "client_sdp.hpp"

#include <gtest/gtest.h>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "sdp/server_offer.hpp"

namespace rrtc::loadgen {
namespace {

const char* kFingerprint =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:"
    "99";

LocalIdentity client() {
  return LocalIdentity{"cufr", "client-password-0123456789", {"sha-256", kFingerprint}, "42", "c1"};
}

sdp::LocalTransport server() {
  sdp::LocalTransport t;
  t.ice_ufrag = "sufr";
  t.ice_pwd = "server-password-0123456789";
  t.fingerprint = {"sha-256", kFingerprint};
  t.session_id = "7";
  return t;
}

// What goes over the wire: serialized, then parsed again.
sdp::SessionDescription wire(const sdp::SessionDescription& d) {
  auto parsed = sdp::parse(sdp::serialize(d));
  EXPECT_TRUE(parsed) << sdp::serialize(d);
  return *parsed;
}

sdp::Answer server_answer(const sdp::SessionDescription& offer) {
  static const auto caps = sdp::default_capabilities();
  const auto transport = server();
  sdp::AnswerInput input{&caps, &transport, {}, {}};
  auto answer = sdp::answer_offer(wire(offer), input);
  EXPECT_TRUE(answer);
  return *answer;
}

TEST(ClientSdp, PublisherOfferIsAcceptedWithBothTracks) {
  const PublishedStreams streams{"alice", true, true, 1111, 2222};
  const auto answer = server_answer(publisher_offer(client(), streams, 1));
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_TRUE(answer.media[0].accepted);
  EXPECT_EQ(answer.media[0].track_type, sdp::TrackType::audio);
  EXPECT_EQ(answer.media[0].ssrcs, std::vector<std::uint32_t>{1111});
  EXPECT_EQ(answer.media[0].codecs.at(0).codec.payload_type, kOpusPayloadType);
  EXPECT_TRUE(answer.media[1].accepted);
  EXPECT_EQ(answer.media[1].track_type, sdp::TrackType::camera);
  EXPECT_EQ(answer.media[1].ssrcs, std::vector<std::uint32_t>{2222});
  EXPECT_EQ(answer.media[1].codecs.at(0).codec.payload_type, kVp8PayloadType);
  EXPECT_EQ(answer.remote.ice_ufrag, "cufr");
  // The client reads the server's transport back from the answer.
  const auto remote = remote_transport(wire(answer.sdp));
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->ice_ufrag, "sufr");
  EXPECT_EQ(remote->fingerprints.size(), 1u);
}

TEST(ClientSdp, SimulcastOfferHasThreeRidsNoVideoSsrcAndTheExtensions) {
  PublishedStreams streams{"alice", true, true, 1111, 2222};
  streams.layers = 3;
  const auto offer = wire(publisher_offer(client(), streams, 1));
  ASSERT_EQ(offer.media.size(), 2u);
  const auto& video = offer.media[1];
  EXPECT_TRUE(video.ssrcs.empty());
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0], (sdp::Rid{"q", sdp::RidDirection::send, ""}));
  EXPECT_EQ(video.rids[1].id, "h");
  EXPECT_EQ(video.rids[2].id, "f");
  ASSERT_TRUE(video.simulcast);
  ASSERT_EQ(video.simulcast->send.size(), 3u);
  EXPECT_EQ(video.simulcast->send[0].at(0).id, "q");
  EXPECT_EQ(video.simulcast->send[2].at(0).id, "f");
  EXPECT_TRUE(video.simulcast->recv.empty());
  ASSERT_EQ(video.msids.size(), 1u);
  EXPECT_EQ(video.msids[0].track_id, "alice-camera");
  std::vector<std::pair<std::uint16_t, std::string>> extmaps;
  for (const auto& e : video.extmaps) extmaps.emplace_back(e.id, e.uri);
  EXPECT_EQ(extmaps, (std::vector<std::pair<std::uint16_t, std::string>>{
                         {3, sdp::uri::kTransportWideCc},
                         {4, sdp::uri::kMid},
                         {10, sdp::uri::kRtpStreamId},
                         {11, sdp::uri::kRepairedRtpStreamId}}));
  // Audio keeps its a=ssrc and has transport-wide-cc and mid only.
  EXPECT_EQ(offer.media[0].ssrcs.at(0).ssrc, 1111u);
  EXPECT_EQ(offer.media[0].extmaps.size(), 2u);
  // Without simulcast the video keeps its a=ssrc and has no rids.
  streams.layers = 1;
  const auto single = wire(publisher_offer(client(), streams, 1));
  EXPECT_EQ(single.media[1].ssrcs.at(0).ssrc, 2222u);
  EXPECT_TRUE(single.media[1].rids.empty());
  EXPECT_FALSE(single.media[1].simulcast);
}

TEST(ClientSdp, AcceptedExtensionsAndSimulcastAreReadFromTheAnswer) {
  PublishedStreams streams{"alice", true, true, 1111, 2222};
  streams.layers = 3;
  const auto answer = wire(server_answer(publisher_offer(client(), streams, 1)).sdp);
  // The server takes transport-wide-cc and mid; it answers with the offered ids (JSEP).
  const auto ids = accepted_extensions(answer, kVideoMid);
  EXPECT_EQ(ids.transport_cc, kTransportCcExtensionId);
  EXPECT_EQ(ids.mid, kMidExtensionId);
  EXPECT_EQ(accepted_extensions(answer, "9").transport_cc, 0);  // no such m-line
  // A hand-written answer that takes the layers, and one that does not.
  auto taking = answer;
  taking.media[1].simulcast = sdp::Simulcast{{}, {{{"q", false}}, {{"h", false}}, {{"f", false}}}};
  EXPECT_TRUE(answer_accepts_simulcast(taking));
  taking.media[1].simulcast.reset();
  EXPECT_FALSE(answer_accepts_simulcast(taking));
}

// --simulcast --transport-cc off: the publisher still names its layers. The audio m-line's ids
// replaced all the video's when the video had no transport-wide-cc, so packets carried no rid and
// the server could route none of the layers.
TEST(ClientSdp, SenderExtensionsKeepTheRidWithoutTransportCc) {
  PublishedStreams streams{"alice", true, true, 1111, 2222};
  streams.layers = 3;
  auto local = client();
  local.transport_cc = false;
  const auto answer = wire(server_answer(publisher_offer(local, streams, 1)).sdp);
  EXPECT_EQ(sender_extensions(answer), (ExtensionIds{0, kMidExtensionId, kRidExtensionId}));
  // With it, the video's ids; an audio-only publisher takes the audio m-line's number.
  const auto with = wire(server_answer(publisher_offer(client(), streams, 1)).sdp);
  EXPECT_EQ(sender_extensions(with),
            (ExtensionIds{kTransportCcExtensionId, kMidExtensionId, kRidExtensionId}));
  streams.video = false;
  const auto audio = wire(server_answer(publisher_offer(client(), streams, 1)).sdp);
  EXPECT_EQ(sender_extensions(audio), (ExtensionIds{kTransportCcExtensionId, 0, 0}));
}

TEST(ClientSdp, SubscriberOfferIsAcceptedAsADataChannel) {
  const auto answer = server_answer(subscriber_offer(client(), 1));
  ASSERT_EQ(answer.media.size(), 1u);
  EXPECT_TRUE(answer.media[0].accepted);
  EXPECT_EQ(answer.media[0].kind, sdp::MediaKind::application);
}

TEST(ClientSdp, RecvonlyAudioSubscriberOfferIsAcceptedAndReceivesNothingYet) {
  const auto answer = server_answer(subscriber_offer(client(), 1, SubscriberOffer::recvonly_audio));
  ASSERT_EQ(answer.media.size(), 1u);
  EXPECT_TRUE(answer.media[0].accepted);
  EXPECT_EQ(answer.media[0].kind, sdp::MediaKind::audio);
  EXPECT_FALSE(answer.media[0].track_type);  // nothing published
  const auto remote = remote_transport(wire(answer.sdp));
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->ice_ufrag, "sufr");
}

sdp::ForwardedTrack forwarded(const std::string& participant, sdp::TrackType type,
                              std::uint32_t ssrc) {
  const auto caps = sdp::default_capabilities();
  sdp::ForwardedTrack t;
  t.id = participant + std::string(sdp::to_string(type));
  t.participant_id = participant;
  t.type = type;
  t.kind = type == sdp::TrackType::audio ? sdp::MediaKind::audio : sdp::MediaKind::video;
  t.ssrc = ssrc;
  t.cname = participant;
  for (const auto& c : caps.codecs) {
    if (c.kind != t.kind) continue;
    sdp::Codec codec;
    codec.payload_type = c.payload_type;
    codec.has_rtpmap = true;
    codec.name = c.name;
    codec.clock_rate = c.clock_rate;
    codec.channels = c.channels;
    codec.fmtp = c.fmtp;
    codec.feedback = c.feedback;
    t.codecs.push_back(codec);
    if (c.rtx_payload_type != 0) {
      t.rtx_ssrc = ssrc + 1;
      t.codecs.push_back(sdp::Codec{c.rtx_payload_type,
                                    true,
                                    "rtx",
                                    90000,
                                    0,
                                    {{"apt", std::to_string(c.payload_type), true}},
                                    {}});
    }
  }
  return t;
}

struct Negotiation {
  bool publisher;
  SubscriberOffer subscriber = SubscriberOffer::data_channel;
};

class ServerOffers : public ::testing::TestWithParam<Negotiation> {};

TEST_P(ServerOffers, AnswersAreAcceptedByTheServerAndNameTheTracks) {
  const bool publisher = GetParam().publisher;
  const PublishedStreams streams{"bob", true, true, 3333, 4444};
  const auto first = publisher ? publisher_offer(client(), streams, 1)
                               : subscriber_offer(client(), 1, GetParam().subscriber);
  sdp::ServerOfferBuilder builder;
  builder.on_client_offer_answered(server_answer(first));
  auto transport = server();
  transport.session_version = 2;
  const auto offer = builder.create_offer({forwarded("alice", sdp::TrackType::audio, 500),
                                           forwarded("alice", sdp::TrackType::camera, 600)},
                                          transport);
  const auto answer = answer_server_offer(wire(offer), client(), publisher ? &streams : nullptr, 2);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->tracks.size(), 2u);
  EXPECT_EQ(answer->tracks[0].participant_id, "alice");
  EXPECT_EQ(answer->tracks[0].track_id, "alice-audio");
  EXPECT_EQ(answer->tracks[0].kind, StreamKind::audio);
  EXPECT_EQ(answer->tracks[0].ssrc, 500u);
  EXPECT_EQ(answer->tracks[0].clock_rate, 48000u);
  EXPECT_EQ(answer->tracks[1].track_id, "alice-camera");
  EXPECT_EQ(answer->tracks[1].ssrc, 600u);
  EXPECT_EQ(answer->tracks[1].rtx_ssrc, 601u);
  EXPECT_NE(answer->tracks[1].rtx_payload_type, 0);
  const auto applied = builder.apply_answer(wire(answer->answer));
  ASSERT_TRUE(applied) << applied.error().message() << "\n" << sdp::serialize(answer->answer);
  ASSERT_EQ(applied->size(), 2u);
  EXPECT_TRUE((*applied)[0].accepted);
  EXPECT_TRUE((*applied)[1].accepted);
  // Our own m-lines keep what we publish.
  if (publisher) {
    const auto* audio = answer->answer.find_media(kAudioMid);
    ASSERT_NE(audio, nullptr);
    EXPECT_EQ(audio->direction, sdp::Direction::sendonly);
    ASSERT_EQ(audio->ssrcs.size(), 1u);
    EXPECT_EQ(audio->ssrcs[0].ssrc, 3333u);
  }
  // A later offer that removes a track: its m-line comes back rejected.
  transport.session_version = 3;
  const auto second =
      builder.create_offer({forwarded("alice", sdp::TrackType::audio, 500)}, transport);
  const auto answer2 =
      answer_server_offer(wire(second), client(), publisher ? &streams : nullptr, 3);
  ASSERT_TRUE(answer2);
  EXPECT_EQ(answer2->tracks.size(), 1u);
  EXPECT_TRUE(builder.apply_answer(wire(answer2->answer)));
}

TEST(ClientSdp, SimulcastPublisherKeepsItsRidsAndFindsTheServersTransportCc) {
  PublishedStreams streams{"bob", true, true, 3333, 4444};
  streams.layers = 3;
  sdp::ServerOfferBuilder builder;
  builder.on_client_offer_answered(server_answer(publisher_offer(client(), streams, 1)));
  auto transport = server();
  transport.session_version = 2;
  auto offer = wire(builder.create_offer({forwarded("alice", sdp::TrackType::audio, 500),
                                          forwarded("alice", sdp::TrackType::camera, 600)},
                                         transport));
  // Whatever the builder offers today: transport-wide-cc as id 5 with its feedback on the
  // forwarded m-lines, then without the feedback.
  for (auto& media : offer.media) {
    if (media.direction != sdp::Direction::sendonly) continue;
    std::erase_if(media.extmaps,
                  [](const sdp::Extmap& e) { return e.uri == sdp::uri::kTransportWideCc; });
    sdp::Extmap twcc;
    twcc.id = 5;
    twcc.uri = sdp::uri::kTransportWideCc;
    media.extmaps.push_back(twcc);
    for (auto& codec : media.codecs) {
      std::erase_if(codec.feedback, [](const auto& fb) { return fb.type == "transport-cc"; });
      if (codec.name != "rtx") codec.feedback.push_back({"transport-cc", ""});
    }
  }
  const auto answer = answer_server_offer(wire(offer), client(), &streams, 2);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->transport_cc_extension_id, 5);
  const auto* video = answer->answer.find_media(kVideoMid);
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->direction, sdp::Direction::sendonly);
  EXPECT_TRUE(video->ssrcs.empty());
  EXPECT_EQ(video->rids.size(), 3u);
  ASSERT_TRUE(video->simulcast);
  EXPECT_EQ(video->simulcast->send.size(), 3u);
  for (auto& media : offer.media) {
    for (auto& codec : media.codecs) {
      std::erase_if(codec.feedback, [](const auto& fb) { return fb.type == "transport-cc"; });
    }
  }
  const auto without = answer_server_offer(wire(offer), client(), &streams, 3);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->transport_cc_extension_id, 0);
}

TEST(ClientSdp, TransportCcOffLeavesTheExtensionOutOfOffersAndAnswers) {
  auto local = client();
  local.transport_cc = false;
  const PublishedStreams streams{"bob", true, true, 3333, 4444};
  const auto offer = wire(publisher_offer(local, streams, 1));
  for (const auto& media : offer.media) {
    EXPECT_EQ(std::count_if(media.extmaps.begin(), media.extmaps.end(),
                            [](const auto& e) { return e.uri == sdp::uri::kTransportWideCc; }),
              0);
  }
  sdp::ServerOfferBuilder builder;
  builder.on_client_offer_answered(server_answer(subscriber_offer(local, 1)));
  auto transport = server();
  transport.session_version = 2;
  auto server_offer =
      wire(builder.create_offer({forwarded("alice", sdp::TrackType::camera, 600)}, transport));
  for (auto& media : server_offer.media) {
    sdp::Extmap twcc;
    twcc.id = 5;
    twcc.uri = sdp::uri::kTransportWideCc;
    media.extmaps.push_back(twcc);
  }
  const auto answer = answer_server_offer(wire(server_offer), local, nullptr, 2);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->transport_cc_extension_id, 0);
  for (const auto& media : answer->answer.media) {
    for (const auto& e : media.extmaps) EXPECT_NE(e.uri, sdp::uri::kTransportWideCc);
    for (const auto& codec : media.codecs) {
      for (const auto& fb : codec.feedback) EXPECT_NE(fb.type, "transport-cc");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Roles, ServerOffers,
                         ::testing::Values(Negotiation{true},
                                           Negotiation{false, SubscriberOffer::data_channel},
                                           Negotiation{false, SubscriberOffer::recvonly_audio}),
                         [](const ::testing::TestParamInfo<Negotiation>& info) {
                           if (info.param.publisher) return std::string("Publisher");
                           return std::string(info.param.subscriber == SubscriberOffer::data_channel
                                                  ? "DataChannelSubscriber"
                                                  : "RecvonlyAudioSubscriber");
                         });

}  // namespace
}  // namespace rrtc::loadgen
