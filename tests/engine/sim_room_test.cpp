// Whole rooms on the simulated network and clock: real DTLS, SRTP and SCTP between SimClients
// and one engine::Worker, our own SDP offers and answers, the Router forwarding. Each test runs
// seconds of simulated time in a fraction of a second and repeats exactly for its seed.
#include "sim_room.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kAudio = 0;  // RtpKind::audio's counter slot

// Every arrival is the one before plus one (no gap, no repeat), from `from` on.
::testing::AssertionResult consecutive(const ReceivedStream& stream, std::size_t from = 0) {
  for (std::size_t i = from + 1; i < stream.sequence.size(); ++i) {
    if (static_cast<std::uint16_t>(stream.sequence[i - 1] + 1) != stream.sequence[i]) {
      return ::testing::AssertionFailure()
             << "arrival " << i << ": " << stream.sequence[i - 1] << " then " << stream.sequence[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class SimRoom : public SimRoomTest {
 public:
  // A publishes audio and camera; B, a subscriber (with a data channel m-line, or a recvonly
  // audio one and so no SCTP at all), receives them.
  void publisher_and_subscriber(
      loadgen::SubscriberOffer b_offers = loadgen::SubscriberOffer::data_channel) {
    auto& a = join("A", true);
    auto& b = join("B", false, {lan_link(), lan_link()}, "sim", b_offers);
    ASSERT_TRUE(run_until([&] { return a.connected() && b.connected(); }, 2s));
    ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2; }, 2s));
    publish_for(1s);
    ASSERT_NE(b.stream_of("A-audio"), nullptr);
    ASSERT_NE(b.stream_of("A-camera"), nullptr);
  }
};

TEST_F(SimRoom, PublisherConnectsAndItsMediaIsDecrypted) {
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s)) << a.failure();
  publish_for(1s);
  worker().collect_counters();
  EXPECT_EQ(a.audio_sent(), 50U);
  EXPECT_EQ(worker().counters().rtp_packets[kAudio].get(), a.audio_sent());
  EXPECT_TRUE(rejections.empty());
  EXPECT_TRUE(removals.empty());
}

TEST_F(SimRoom, SubscriberGetsAServerOfferAndReceivesEveryPacketInOrder) {
  publisher_and_subscriber();
  auto& b = *client("B");
  EXPECT_EQ(server_offers["B"], 1);
  const auto& audio = *b.stream_of("A-audio");
  const auto& video = *b.stream_of("A-camera");
  EXPECT_TRUE(consecutive(audio));
  EXPECT_TRUE(consecutive(video));
  ASSERT_FALSE(video.keyframe.empty());
  EXPECT_TRUE(video.keyframe.front()) << "video must start at a key frame";
  // Nothing lost on a clean link: every audio packet sent after B subscribed arrived.
  EXPECT_GE(audio.sequence.size(), 45U);
  EXPECT_TRUE(audio.missing.empty());
  EXPECT_TRUE(video.missing.empty());
}

TEST_F(SimRoom, ColliderOfferIsAnsweredAndTheServerOffersAgain) {
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s));
  hold_answers = true;  // B leaves the server's offer unanswered...
  auto& b = join("B", true);
  ASSERT_TRUE(run_until([&] { return b.connected() && server_offers["B"] == 1; }, 2s));
  run_for(50ms);
  hold_answers = false;
  offer_again("B");  // ...and offers itself: glare; the server rolls back and answers
  ASSERT_TRUE(run_until([&] { return server_offers["B"] == 2 && b.tracks().size() == 2; }, 2s));
  publish_for(500ms);
  EXPECT_TRUE(rejections.empty()) << rejections.front();
  ASSERT_NE(b.stream_of("A-audio"), nullptr);
  EXPECT_TRUE(consecutive(*b.stream_of("A-audio")));
}

TEST_F(SimRoom, MuteStopsAudioAndUnmuteContinuesItsSequence) {
  publisher_and_subscriber();
  auto& b = *client("B");
  const auto before = b.stream_of("A-audio")->sequence.size();
  set_state("A", room::ParticipantState{true, true, false});
  publish_for(500ms);
  const auto muted = b.stream_of("A-audio")->sequence.size();
  EXPECT_LE(muted - before, 1U) << "at most the packet in flight arrives after the mute";
  set_state("A", room::ParticipantState{false, true, false});
  publish_for(500ms);
  const auto& audio = *b.stream_of("A-audio");
  EXPECT_GE(audio.sequence.size(), muted + 20);
  EXPECT_TRUE(consecutive(audio)) << "the sequence continues across the pause";
  // The timestamp advances by the time the stream paused (48 kHz: 48 per millisecond).
  const auto gap = audio.timestamp[muted] - audio.timestamp[muted - 1];
  EXPECT_GE(gap, 48U * 450);
  EXPECT_LE(gap, 48U * 600);
}

TEST_F(SimRoom, CameraBackOnResumesAtAKeyFrameTheServerAskedFor) {
  publisher_and_subscriber();
  auto& a = *client("A");
  auto& b = *client("B");
  set_state("A", room::ParticipantState{false, false, false});
  publish_for(500ms);
  const auto paused = b.stream_of("A-camera")->sequence.size();
  const auto requests = a.keyframe_requests();
  set_state("A", room::ParticipantState{false, true, false});
  publish_for(500ms);
  const auto& video = *b.stream_of("A-camera");
  ASSERT_GT(video.sequence.size(), paused);
  EXPECT_GT(a.keyframe_requests(), requests) << "resuming asks the publisher for a key frame";
  EXPECT_TRUE(video.keyframe[paused]) << "the first packet after the pause starts a key frame";
  EXPECT_TRUE(consecutive(video));
}

TEST_F(SimRoom, NackRecoversWhatFivePercentLossTook) {
  publisher_and_subscriber();
  auto& b = *client("B");
  auto down = lan_link();
  down.loss = 0.05;
  path("B").set_link(ice::Side::A, down);
  publish_for(3s);
  path("B").set_link(ice::Side::A, lan_link());
  publish_for(500ms);
  const auto lost = path("B").counters(ice::Side::A).dropped_loss;
  EXPECT_GT(lost, 10U);
  const auto& video = *b.stream_of("A-camera");
  EXPECT_GT(video.nacked, 0U);
  EXPECT_TRUE(video.missing.empty()) << video.missing.size() << " video packets never recovered";
  EXPECT_GT(worker().counters().forward.retransmitted_packets.get(), 0U);
}

TEST_F(SimRoom, VanishedParticipantIsRemovedAndItsTracksLeaveTheOthersOffer) {
  publisher_and_subscriber();
  auto& b = *client("B");
  const int offers = server_offers["B"];
  path("A").fail();  // consent lost: A is gone without a word
  ASSERT_TRUE(run_until([&] { return !removals.empty(); }, 2s));
  EXPECT_EQ(removals.front().participant, "A");
  EXPECT_NE(removals.front().reason.find("ICE failed"), std::string::npos)
      << removals.front().reason;
  ASSERT_TRUE(run_until([&] { return server_offers["B"] == offers + 1; }, 2s));
  run_for(100ms);
  EXPECT_TRUE(b.tracks().empty()) << "A's m-lines are at port 0 in B's new offer";
  EXPECT_TRUE(b.connected());
}

TEST_F(SimRoom, DataChannelMessagesAreRelayedWithTheSenderId) {
  auto& a = join("A", false);
  auto& b = join("B", false);
  ASSERT_TRUE(run_until([&] { return a.data_up() && b.data_up(); }, 2s));
  ASSERT_TRUE(a.open_channel("chat"));
  // The server opens "chat" towards B once A's channel reaches it.
  ASSERT_TRUE(run_until([&] { return b.has_channel("chat"); }, 1s));
  ASSERT_TRUE(a.send_text("chat", "hello from A"));
  ASSERT_TRUE(run_until([&] { return !b.messages().empty(); }, 1s));
  EXPECT_EQ(b.messages().front(), "chat: {\"from\":\"A\",\"data\":\"hello from A\"}");
  ASSERT_TRUE(b.send_text("chat", "hi A"));
  ASSERT_TRUE(run_until([&] { return !a.messages().empty(); }, 1s));
  EXPECT_EQ(a.messages().front(), "chat: {\"from\":\"B\",\"data\":\"hi A\"}");
  EXPECT_EQ(worker().counters().data_messages_relayed.get(), 2U);
}

// Without SCTP (usrsctp keeps one timer wheel for the whole process, so a second room in the
// same process would not see the same SCTP timing), a room replays exactly.
TEST_F(SimRoom, SameSeedSameRun) {
  publisher_and_subscriber(loadgen::SubscriberOffer::recvonly_audio);
  auto down = lan_link();
  down.loss = 0.05;
  path("B").set_link(ice::Side::A, down);
  publish_for(1s);
  const auto counters = path("B").counters(ice::Side::A);
  const auto video = client("B")->stream_of("A-camera")->sequence.size();

  struct Replay final : SimRoom {
    void TestBody() override {}
  } again;
  again.publisher_and_subscriber(loadgen::SubscriberOffer::recvonly_audio);
  again.path("B").set_link(ice::Side::A, down);
  again.publish_for(1s);
  // Every datagram on the lossy link, every loss and what B received repeat; byte counts may
  // differ by the odd byte, since ECDSA signatures in the DTLS handshake vary in length.
  const auto replayed = again.path("B").counters(ice::Side::A);
  EXPECT_EQ(replayed.sent, counters.sent);
  EXPECT_EQ(replayed.delivered, counters.delivered);
  EXPECT_EQ(replayed.dropped_loss, counters.dropped_loss);
  EXPECT_EQ(again.client("B")->stream_of("A-camera")->sequence.size(), video);
}

}  // namespace
}  // namespace rrtc::engine::test
