// Issue 16, viewers, on the simulated network and clock: a participant that joins and never
// offers is offered by the server (kViewerOfferDelay after its Join, once the room has tracks
// or data channels for it), answers, connects and receives; its connect deadline starts at that
// offer; it may start publishing later on the same PeerConnection; a client that offers late
// collides with the server's first offer and is answered (the server is polite).
#include <gtest/gtest.h>

#include <string>

#include "engine/media_participant.hpp"
#include "sim_room.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

// Every arrival is the one before plus one (no gap, no repeat).
::testing::AssertionResult consecutive(const ReceivedStream& stream) {
  for (std::size_t i = 1; i < stream.sequence.size(); ++i) {
    if (static_cast<std::uint16_t>(stream.sequence[i - 1] + 1) != stream.sequence[i]) {
      return ::testing::AssertionFailure()
             << "arrival " << i << ": " << stream.sequence[i - 1] << " then " << stream.sequence[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class SimViewer : public SimRoomTest {
 public:
  SimViewer() {
    // A viewer's pair is made when the server creates its Peer (no prepared pair).
    peer_factory().set_links({lan_link(), lan_link()});
  }

  // Publisher A connected and sending.
  SimClient& publisher() {
    auto& a = join("A", true);
    EXPECT_TRUE(run_until([&] { return a.connected(); }, 2s)) << a.failure();
    return a;
  }

  // What `viewer` received of `publisher`'s audio and camera over one second of media.
  void expect_receives(SimClient& viewer, const std::string& publisher) {
    publish_for(1s);
    const auto* audio = viewer.stream_of(publisher + "-audio");
    const auto* video = viewer.stream_of(publisher + "-camera");
    ASSERT_NE(audio, nullptr) << viewer.id() << " receives no audio of " << publisher;
    ASSERT_NE(video, nullptr) << viewer.id() << " receives no camera of " << publisher;
    EXPECT_GE(audio->sequence.size(), 45U);  // 50 sent in the second
    EXPECT_TRUE(consecutive(*audio));
    EXPECT_TRUE(audio->missing.empty());
    ASSERT_FALSE(video->keyframe.empty());
    EXPECT_TRUE(video->keyframe.front()) << "video must start at a key frame";
    EXPECT_GE(video->sequence.size(), 30U);  // 25 frames of 3 packets, from the key frame on
    EXPECT_TRUE(consecutive(*video));
  }
};

TEST_F(SimViewer, ViewerThatNeverOffersIsOfferedAndReceivesAudioAndVideo) {
  publisher();
  // C offers a data channel only (a page with chat and no devices) and opens "chat".
  auto& c = join("C", false);
  ASSERT_TRUE(run_until([&] { return c.data_up(); }, 2s));
  ASSERT_TRUE(c.open_channel("chat"));
  const auto entered = loop().now();
  auto& v = enter_viewer("V");
  // Join handled kSignalingDelay after entering; the server offers kViewerOfferDelay later.
  run_for(kSignalingDelay + kViewerOfferDelay - 1ms);
  EXPECT_EQ(server_offers["V"], 0);
  run_for(1ms);
  EXPECT_EQ(server_offers["V"], 1);
  EXPECT_EQ(loop().now() - entered, kSignalingDelay + kViewerOfferDelay);
  // The offer is complete: both tracks sendonly, then the data channel, all bundled, actpass.
  const std::string& offer = last_server_offer["V"];
  EXPECT_NE(offer.find("a=group:BUNDLE 0 1 2\r\n"), std::string::npos) << offer;
  EXPECT_NE(offer.find("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), std::string::npos);
  EXPECT_NE(offer.find("a=setup:actpass"), std::string::npos);
  EXPECT_EQ(offer.find("a=setup:passive"), std::string::npos);
  EXPECT_NE(offer.find("a=msid:A A-audio"), std::string::npos);
  EXPECT_NE(offer.find("a=msid:A A-camera"), std::string::npos);

  ASSERT_TRUE(run_until([&] { return v.connected(); }, 2s)) << v.failure();
  EXPECT_EQ(answers["V"], 0);  // V never offered: nothing to answer
  ASSERT_EQ(v.tracks().size(), 2U);
  expect_receives(v, "A");
  // The data channel of the server's offer works: the room's "chat" reaches V.
  ASSERT_TRUE(run_until([&] { return v.data_up() && v.has_channel("chat"); }, 2s));
  ASSERT_TRUE(c.send_text("chat", "hello viewer"));
  ASSERT_TRUE(run_until([&] { return !v.messages().empty(); }, 1s));
  EXPECT_EQ(v.messages().front(), R"(chat: {"from":"C","data":"hello viewer"})");
  EXPECT_EQ(server_offers["V"], 1);
  EXPECT_TRUE(rejections.empty());
  EXPECT_TRUE(removals.empty());
  EXPECT_TRUE(errors.empty());
}

TEST_F(SimViewer, ViewerJoinedBeforeAnyTrackIsOfferedWhenTheFirstTrackAppears) {
  auto& v = enter_viewer("V");
  run_for(3s);
  EXPECT_EQ(server_offers["V"], 0);
  EXPECT_EQ(peer_factory().created(), 0U);  // nothing allocated for a viewer with nothing to see
  EXPECT_TRUE(errors.empty());              // and no connect deadline running
  const auto joined = loop().now();
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return server_offers["V"] == 1; }, 1s));
  // A's offer reached the server after kSignalingDelay; its tracks at once made V's offer.
  EXPECT_EQ(loop().now() - joined, kSignalingDelay);
  ASSERT_TRUE(run_until([&] { return a.connected() && v.connected(); }, 2s)) << v.failure();
  expect_receives(v, "A");
  EXPECT_EQ(peer_factory().created(), 2U);
  EXPECT_TRUE(rejections.empty());
}

TEST_F(SimViewer, ViewerInARoomWithOnlyChatIsOfferedTheDataChannel) {
  // C offers a data channel only and opens "chat": the room has no track, but a channel.
  auto& c = join("C", false);
  ASSERT_TRUE(run_until([&] { return c.data_up(); }, 2s));
  auto& v = enter_viewer("V");
  run_for(2s);
  EXPECT_EQ(server_offers["V"], 0);  // nothing to see or join yet
  const auto opened = loop().now();
  ASSERT_TRUE(c.open_channel("chat"));
  ASSERT_TRUE(run_until([&] { return server_offers["V"] == 1; }, 1s));
  // C's DATA_CHANNEL_OPEN crossed its link (5 ms +- 1 ms, SCTP on its 10 ms tick) and made
  // V's offer when it arrived.
  EXPECT_LE(loop().now() - opened, 30ms);
  const std::string& offer = last_server_offer["V"];
  EXPECT_NE(offer.find("a=group:BUNDLE 0\r\n"), std::string::npos) << offer;
  EXPECT_NE(offer.find("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), std::string::npos);
  EXPECT_EQ(offer.find("m=audio"), std::string::npos);
  ASSERT_TRUE(run_until([&] { return v.connected() && v.has_channel("chat"); }, 2s));
  ASSERT_TRUE(c.send_text("chat", "anyone?"));
  ASSERT_TRUE(run_until([&] { return !v.messages().empty(); }, 1s));
  EXPECT_EQ(v.messages().front(), R"(chat: {"from":"C","data":"anyone?"})");
  EXPECT_TRUE(v.tracks().empty());
  EXPECT_TRUE(rejections.empty());
}

TEST_F(SimViewer, ViewerThatLaterPublishesIsReceivedByTheOthers) {
  auto& a = publisher();
  auto& v = enter_viewer("V");
  ASSERT_TRUE(run_until([&] { return v.connected(); }, 2s)) << v.failure();
  expect_receives(v, "A");
  // V starts publishing: a re-offer of the PeerConnection the server's offer started.
  send_offer("V", v.start_publishing());
  ASSERT_TRUE(run_until([&] { return answers["V"] == 1 && a.tracks().size() == 2; }, 2s))
      << (rejections.empty() ? "" : rejections.back());
  EXPECT_TRUE(rejections.empty());
  publish_for(1s);
  const auto* audio = a.stream_of("V-audio");
  const auto* video = a.stream_of("V-camera");
  ASSERT_NE(audio, nullptr);
  ASSERT_NE(video, nullptr);
  EXPECT_GE(audio->sequence.size(), 45U);
  EXPECT_TRUE(consecutive(*audio));
  ASSERT_FALSE(video->keyframe.empty());
  EXPECT_TRUE(video->keyframe.front());
  // V still receives A on the same PeerConnection (two Peers in all: no new transport).
  EXPECT_GE(v.stream_of("A-audio")->sequence.size(), 90U);
  EXPECT_EQ(peer_factory().created(), 2U);
  EXPECT_TRUE(removals.empty());
}

TEST_F(SimViewer, ViewerReofferWithNewIceCredentialsIsRefused) {
  publisher();
  auto& v = enter_viewer("V");
  ASSERT_TRUE(run_until([&] { return v.connected(); }, 2s));
  std::string reoffer = v.start_publishing();
  const auto at = reoffer.find("a=ice-pwd:");
  ASSERT_NE(at, std::string::npos);
  reoffer.replace(at + 10, 4, "XXXX");  // every m-line's ICE password changes: an ICE restart
  for (auto pos = reoffer.find("a=ice-pwd:", at + 1); pos != std::string::npos;
       pos = reoffer.find("a=ice-pwd:", pos + 1)) {
    reoffer.replace(pos + 10, 4, "XXXX");
  }
  send_offer("V", reoffer);
  ASSERT_TRUE(run_until([&] { return !rejections.empty(); }, 1s));
  EXPECT_EQ(rejections.front(),
            "V: bad SDP: re-offer changes the ICE credentials: ICE restart is not supported "
            "(leave and join again for a new transport)");
  EXPECT_TRUE(v.connected());
}

TEST_F(SimViewer, ViewerConnectDeadlineRunsFromTheFirstServerOffer) {
  limits().connect_timeout = std::chrono::seconds(5);
  publisher();
  hold_answers = true;  // V never answers
  const auto entered = loop().now();
  enter_viewer("V");
  ASSERT_TRUE(run_until([&] { return !errors.empty(); }, 10s));
  EXPECT_EQ(server_offers["V"], 1);
  const auto& error = errors.front();
  EXPECT_EQ(error.participant, "V");
  EXPECT_EQ(error.code, 408);
  EXPECT_TRUE(error.remove);
  EXPECT_EQ(error.message,
            "connect timeout: the PeerConnection did not connect within 5 s of the first offer");
  EXPECT_EQ(error.at - entered, kSignalingDelay + kViewerOfferDelay + std::chrono::seconds(5));
  worker().collect_counters();
  EXPECT_EQ(worker().counters().connect_timeouts.get(), 1U);
}

TEST_F(SimViewer, LateOffererCollidesWithTheServerFirstOfferAndIsAnswered) {
  publisher();
  // B joins (its ICE agent ready) but offers only after the server has offered it first.
  hold_answers = true;
  auto& b = enter("B", true);
  ASSERT_TRUE(run_until([&] { return server_offers["B"] == 1; }, 1s));
  run_for(2 * kSignalingDelay);  // delivered and left unanswered...
  hold_answers = false;          // ...so B's own offer collides with it
  send_offer("B", b.offer());
  ASSERT_TRUE(run_until([&] { return b.connected() && server_offers["B"] == 2; }, 2s))
      << b.failure();
  EXPECT_EQ(answers["B"], 1);
  EXPECT_TRUE(rejections.empty());
  expect_receives(b, "A");
  EXPECT_NE(client("A")->stream_of("B-audio"), nullptr);
}

}  // namespace
}  // namespace rrtc::engine::test
