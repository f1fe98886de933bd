// Integration: offer/answer/candidate reach the MediaBackend, and the backend's messages reach
// the participant, through a recording test double.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

// Records every call as one line; the test waits for lines with a deadline.
class RecordingBackend : public room::MediaBackend {
 public:
  void attach(std::shared_ptr<room::SignalingChannel> channel) override {
    std::lock_guard lock(mutex_);
    channel_ = std::move(channel);
  }
  void submit(room::MediaRequest request) override {
    const std::string who = request.room + " " + request.participant;
    record(
        std::visit([&](const auto& command) { return describe(who, command); }, request.command));
  }

  std::vector<std::string> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_.size() >= count; });
    return calls_;
  }
  std::shared_ptr<room::SignalingChannel> channel() {
    std::lock_guard lock(mutex_);
    return channel_;
  }

 private:
  static std::string describe(const std::string& who, const room::request::Join& join) {
    return "join " + who + state_text(join.state);
  }
  static std::string describe(const std::string& who, const room::request::Leave&) {
    return "leave " + who;
  }
  static std::string describe(const std::string& who, const room::request::Offer& offer) {
    std::string line = "offer " + who + " " + offer.sdp;
    for (const auto& t : offer.tracks)
      line += " " + t.mid + ":" + std::to_string(static_cast<int>(t.type));
    return line;
  }
  static std::string describe(const std::string& who, const room::request::Answer& answer) {
    return "answer " + who + " " + answer.sdp;
  }
  static std::string describe(const std::string& who, const room::request::Candidate& candidate) {
    const auto& c = candidate.candidate;
    return "candidate " + who + " [" + c.candidate + "] " + c.sdp_mid.value_or("-") + " " +
           (c.sdp_mline_index ? std::to_string(*c.sdp_mline_index) : "-");
  }
  static std::string describe(const std::string& who, const room::request::State& state) {
    return "state " + who + state_text(state.state);
  }
  static std::string describe(const std::string& who, const room::request::TrackSettings& ts) {
    const auto& u = ts.update;
    const auto field = [](const auto& value) {
      if (!value) return std::string("-");
      if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, bool>) {
        return std::string(*value ? "1" : "0");
      } else {
        return std::to_string(*value);
      }
    };
    return "track_settings " + who + " " + u.track_id + " p" + field(u.paused) + " w" +
           field(u.max_width) + " h" + field(u.max_height) + " f" + field(u.max_fps);
  }
  static std::string state_text(const room::ParticipantState& s) {
    return std::string(" m") + (s.muted ? "1" : "0") + "v" + (s.video_on ? "1" : "0") + "s" +
           (s.screen_sharing ? "1" : "0");
  }
  void record(std::string line) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(line));
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> calls_;
  std::shared_ptr<room::SignalingChannel> channel_;
};

TEST(ServerMediaTest, ClientMediaMessagesAreDispatchedToTheBackend) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  ASSERT_TRUE(backend.channel());
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  a.send(json::object{{"type", "offer"},
                      {"sdp", "v=0 offer"},
                      {"tracks", json::array{json::object{{"mid", "0"}, {"type", "audio"}},
                                             json::object{{"mid", "1"}, {"type", "screen"}}}}});
  a.send(json::object{{"type", "answer"}, {"sdp", "v=0 answer"}});
  a.send(json::object{{"type", "candidate"},
                      {"candidate", "a=candidate:1 1 udp 9 127.0.0.1 5000 typ host"},
                      {"sdpMid", "0"},
                      {"sdpMLineIndex", 0}});
  a.send(json::object{{"type", "candidate"}, {"candidate", ""}});
  a.send(json::object{{"type", "state_update"}, {"video_on", false}});
  a.send(json::object{{"type", "start_screen_share"}});
  a.send(json::object{{"type", "leave"}});
  EXPECT_TRUE(a.wait_closed(websocket::close_code::normal));
  auto calls = backend.wait_for(8);
  const std::vector<std::string> expected = {
      "join r a m0v1s0",       "offer r a v=0 offer 0:0 1:2",
      "answer r a v=0 answer", "candidate r a [candidate:1 1 udp 9 127.0.0.1 5000 typ host] 0 0",
      "candidate r a [] - -",  "state r a m0v0s0",
      "state r a m0v0s1",      "leave r a",
  };
  EXPECT_EQ(calls, expected);
}

TEST(ServerMediaTest, BackendMessagesReachTheParticipant) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  auto channel = backend.channel();
  // From a thread that is not the signaling thread, as a media worker would.
  std::thread worker([&] {
    channel->send_answer("r", "a", "v=0 server answer");
    channel->send_offer("r", "a", "v=0 server offer");
    channel->send_candidate("r", "a", {"candidate:2 1 udp 9 127.0.0.1 6000 typ host", "0", 0});
    channel->send_answer("r", "nobody", "dropped: not in the room");
    channel->reject_sdp("r", "a", "bad SDP: no a=fingerprint");
    channel->remove_participant("r", "b", "ICE failed");
  });
  worker.join();
  auto answer = a.read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(*answer, (json::object{{"type", "answer"}, {"sdp", "v=0 server answer"}}));
  auto offer = a.read();
  ASSERT_TRUE(offer);
  EXPECT_EQ(*offer, (json::object{{"type", "offer"}, {"sdp", "v=0 server offer"}}));
  auto candidate = a.read();
  ASSERT_TRUE(candidate);
  EXPECT_EQ(*candidate, (json::object{{"type", "candidate"},
                                      {"candidate", "candidate:2 1 udp 9 127.0.0.1 6000 typ host"},
                                      {"sdpMid", "0"},
                                      {"sdpMLineIndex", 0}}));
  // An unusable SDP: error 400, and the participant stays in the room.
  auto rejected = a.read();
  ASSERT_TRUE(rejected);
  EXPECT_EQ(
      *rejected,
      (json::object{{"type", "error"}, {"message", "bad SDP: no a=fingerprint"}, {"code", 400}}));
  auto left = a.read();
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, (json::object{{"type", "participant_left"}, {"participant_id", "b"}}));
  auto error = b.read();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), 500);
  EXPECT_EQ(error->at("message"), "ICE failed");
  EXPECT_TRUE(b.wait_closed(websocket::close_code::internal_error));
  EXPECT_EQ(server.participants(), 1u);
  EXPECT_EQ(server.rooms(), 1u);
}

TEST(ServerMediaTest, SpeakersFromTheBackendReachEveryoneInTheRoomOnly) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  WsClient a(server.port());
  WsClient b(server.port());
  WsClient other(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_EQ(other.join("elsewhere", "c").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  auto channel = backend.channel();
  std::thread worker([&] {
    channel->send_speakers("r", {{"b", 0.5}, {"a", 0.123}, {"x", 7.0}});
    channel->send_speakers("r", {});
  });
  worker.join();
  // Levels are rounded to two decimals and clamped to 0..1; the list keeps the backend's order.
  const json::object speaking{
      {"type", "active_speakers"},
      {"speakers", json::array{json::object{{"participant_id", "b"}, {"level", 0.5}},
                               json::object{{"participant_id", "a"}, {"level", 0.12}},
                               json::object{{"participant_id", "x"}, {"level", 1.0}}}}};
  const json::object silent{{"type", "active_speakers"}, {"speakers", json::array{}}};
  for (WsClient* client : {&a, &b}) {
    auto first = client->read();
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, speaking);
    auto second = client->read();
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, silent);
  }
  EXPECT_FALSE(other.read(200ms));
}

TEST(ServerMediaTest, ANewcomerLearnsWhoIsSpeakingRightAfterJoined) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  auto channel = backend.channel();
  std::thread([&] { channel->send_speakers("r", {{"a", 0.75}}); }).join();
  ASSERT_TRUE(a.read_type("active_speakers"));
  const json::object speaking{
      {"type", "active_speakers"},
      {"speakers", json::array{json::object{{"participant_id", "a"}, {"level", 0.75}}}}};
  WsClient b(server.port());
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  auto first = b.read();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, speaking);
  // Once nobody speaks, a newcomer is told nothing (the empty list is the default).
  std::thread([&] { channel->send_speakers("r", {}); }).join();
  ASSERT_TRUE(b.read_type("active_speakers"));
  WsClient c(server.port());
  ASSERT_EQ(c.join("r", "c").at("type"), "joined");
  EXPECT_FALSE(c.read(300ms));
}

TEST(ServerMediaTest, ChannelCallsAfterTheServerIsGoneAreDropped) {
  RecordingBackend backend;
  boost::asio::io_context ioc;
  { Server server(ioc, test_options(), &backend); }
  auto channel = backend.channel();
  ASSERT_TRUE(channel);
  channel->send_answer("r", "a", "v=0");
  channel->remove_participant("r", "a", "gone");
  // Both posted closures run and find no Hub.
  EXPECT_EQ(ioc.run(), 2u);
}

}  // namespace
}  // namespace rrtc::signaling::testing
