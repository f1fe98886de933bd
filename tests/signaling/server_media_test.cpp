// Integration: offer/answer/candidate reach the MediaBackend, and the backend's messages reach
// the participant, through a recording test double.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "recording_backend.hpp"
#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

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
