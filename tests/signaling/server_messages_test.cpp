// Integration: every client message and every server message over a real WebSocket.
#include <gtest/gtest.h>

#include <set>

#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

void expect_error(WsClient& client, int code, std::string_view fragment = "") {
  auto m = client.read();
  ASSERT_TRUE(m) << "no error " << code;
  EXPECT_EQ(m->at("type"), "error") << json::serialize(*m);
  EXPECT_EQ(m->at("code"), code) << json::serialize(*m);
  EXPECT_TRUE(m->at("message").is_string());
  if (!fragment.empty()) {
    EXPECT_NE(std::string(m->at("message").as_string()).find(fragment), std::string::npos)
        << json::serialize(*m);
  }
}

TEST(ServerMessagesTest, TwoClientsSeeEachOthersJoinStateAndLeave) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  auto joined_a = a.join("room1", "alice", "Alice");
  EXPECT_EQ(joined_a.at("type"), "joined");
  EXPECT_EQ(joined_a.at("your_id"), "alice");
  EXPECT_EQ(joined_a.at("room"), "room1");
  EXPECT_TRUE(joined_a.at("participants").as_array().empty());
  EXPECT_TRUE(joined_a.at("ice_servers").is_array());

  a.send(json::object{{"type", "state_update"}, {"muted", true}});
  WsClient b(server.port(), {.path = "/"});  // the WebSocket endpoint also lives at "/"
  auto joined_b = b.join("room1", "bob", "Bob");
  ASSERT_EQ(joined_b.at("type"), "joined");
  auto& others = joined_b.at("participants").as_array();
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].at("id"), "alice");
  EXPECT_EQ(others[0].at("name"), "Alice");
  EXPECT_EQ(others[0].at("muted"), true);
  EXPECT_EQ(others[0].at("video_on"), true);
  EXPECT_EQ(others[0].at("screen_sharing"), false);

  auto pj = a.read();
  ASSERT_TRUE(pj);
  EXPECT_EQ(pj->at("type"), "participant_joined");
  EXPECT_EQ(pj->at("id"), "bob");
  EXPECT_EQ(pj->at("name"), "Bob");
  EXPECT_EQ(pj->at("muted"), false);
  EXPECT_EQ(pj->at("video_on"), true);
  EXPECT_EQ(pj->at("screen_sharing"), false);

  b.send(json::object{{"type", "state_update"}, {"video_on", false}, {"unknown_field", 1}});
  auto su = a.read();
  ASSERT_TRUE(su);
  EXPECT_EQ(*su, (json::object{{"type", "state_update"},
                               {"participant_id", "bob"},
                               {"muted", false},
                               {"video_on", false},
                               {"screen_sharing", false}}));
  b.send(json::object{{"type", "start_screen_share"}});
  su = a.read();
  ASSERT_TRUE(su);
  EXPECT_EQ(su->at("screen_sharing"), true);
  EXPECT_EQ(su->at("video_on"), false);  // omitted fields keep their value
  b.send(json::object{{"type", "stop_screen_share"}});
  su = a.read();
  ASSERT_TRUE(su);
  EXPECT_EQ(su->at("screen_sharing"), false);
  a.send(json::object{{"type", "state_update"}, {"screen_sharing", true}});
  su = b.read();
  ASSERT_TRUE(su);
  EXPECT_EQ(su->at("participant_id"), "alice");
  EXPECT_EQ(su->at("muted"), true);
  EXPECT_EQ(su->at("screen_sharing"), true);

  a.send(json::object{{"type", "leave"}});
  EXPECT_TRUE(a.wait_closed(websocket::close_code::normal));
  auto left = b.read();
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, (json::object{{"type", "participant_left"}, {"participant_id", "alice"}}));
  EXPECT_EQ(server.participants(), 1u);
  EXPECT_EQ(server.rooms(), 1u);
}

TEST(ServerMessagesTest, ClosedSocketGivesParticipantLeftAndRemovesRoom) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  {
    WsClient b(server.port());
    ASSERT_EQ(b.join("r", "b").at("type"), "joined");
    ASSERT_TRUE(a.read_type("participant_joined"));
  }  // b's socket closes without a close frame
  auto left = a.read();
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("type"), "participant_left");
  EXPECT_EQ(left->at("participant_id"), "b");
  a.send(json::object{{"type", "leave"}});
  EXPECT_TRUE(a.wait_closed(websocket::close_code::normal));
  EXPECT_TRUE(server.wait_until([](Server& s) { return s.rooms() == 0 && s.sessions() == 0; }));
  auto health = json::parse(http_request(server.port(), "/healthz").body).as_object();
  EXPECT_EQ(health.at("rooms"), 0);
  EXPECT_EQ(health.at("participants"), 0);
  auto metrics = http_request(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("\nrrtc_rooms 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nrrtc_participants 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("rrtc_signaling_messages_sent_total{type=\"participant_left\"} 1"),
            std::string::npos);
}

TEST(ServerMessagesTest, GeneratedIdsAre128BitHexAndUnique) {
  ServerFixture server(test_options());
  std::set<std::string> ids;
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<WsClient>(server.port()));
    auto joined = clients.back()->join("r");
    ASSERT_EQ(joined.at("type"), "joined");
    std::string id(joined.at("your_id").as_string());
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST(ServerMessagesTest, IceServersFromOptionsReachTheClient) {
  auto options = test_options();
  options.ice_servers = {{{"stun:127.0.0.1:3478"}, "", ""},
                         {{"turn:127.0.0.1:3478?transport=udp"}, "user", "pass"}};
  ServerFixture server(options);
  WsClient a(server.port());
  auto joined = a.join("r");
  auto& ice = joined.at("ice_servers").as_array();
  ASSERT_EQ(ice.size(), 2u);
  EXPECT_EQ(ice[0].at("urls").as_array()[0], "stun:127.0.0.1:3478");
  EXPECT_FALSE(ice[0].as_object().contains("username"));
  EXPECT_EQ(ice[1].at("username"), "user");
  EXPECT_EQ(ice[1].at("credential"), "pass");
}

TEST(ServerMessagesTest, BadRequestsGet400AndTheConnectionStaysOpen) {
  auto options = test_options();
  options.max_protocol_errors = 12;  // each of the 12 is answered; the 13th would close
  ServerFixture server(options);
  WsClient a(server.port());
  a.send(std::string("{not json"));
  expect_error(a, 400, "malformed JSON");
  a.send_binary(std::string("\x01\x02\x03", 3));
  expect_error(a, 400, "binary");
  a.send(json::object{{"type", "dance"}});
  expect_error(a, 400, "unknown message type");
  a.send(json::object{{"type", "offer"}, {"sdp", "v=0\r\n"}});
  expect_error(a, 400, "before 'join'");
  a.send(json::object{{"type", "state_update"}, {"muted", true}});
  expect_error(a, 400, "before 'join'");
  a.send(json::object{{"type", "leave"}});
  expect_error(a, 400, "before 'join'");
  a.send(json::object{{"type", "join"}});
  expect_error(a, 400, "missing field 'room'");
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  a.send(json::object{{"type", "join"}, {"room", "r2"}});
  expect_error(a, 400, "already joined");
  a.send(json::object{{"type", "state_update"}, {"muted", "yes"}});
  expect_error(a, 400, "must be a boolean");
  a.send(json::object{{"type", "offer"},
                      {"sdp", "v=0"},
                      {"tracks", json::array{json::object{{"mid", "0"}, {"type", "video"}}}}});
  expect_error(a, 400, "audio, camera or screen");
  a.send(json::object{{"type", "candidate"}, {"sdpMid", "0"}});
  expect_error(a, 400, "missing field 'candidate'");
  a.send(json::object{{"type", "answer"}});
  expect_error(a, 400, "missing field 'sdp'");
  EXPECT_FALSE(a.closed());
  EXPECT_EQ(server.participants(), 1u);
  auto metrics = http_request(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("rrtc_signaling_errors_total{code=\"400\"} 12"), std::string::npos)
      << metrics;
}

TEST(ServerMessagesTest, OfferWithoutMediaBackendGets500AndParticipantStays) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  a.send(json::object{{"type", "offer"},
                      {"sdp", "v=0\r\n"},
                      {"tracks", json::array{json::object{{"mid", "0"}, {"type", "audio"}}}}});
  expect_error(a, 500, "media transport not available on this server");
  // Answers and candidates are validated, then ignored: the next reply a gets is for the probe.
  a.send(json::object{{"type", "answer"}, {"sdp", "v=0\r\n"}});
  a.send(json::object{{"type", "candidate"},
                      {"candidate", "a=candidate:1 1 udp 1 127.0.0.1 9 typ host"},
                      {"sdpMid", "0"},
                      {"sdpMLineIndex", 0}});
  a.send(json::object{{"type", "candidate"}, {"candidate", ""}});
  a.send(json::object{{"type", "probe"}});
  expect_error(a, 400, "unknown message type 'probe'");
  a.send(json::object{{"type", "state_update"}, {"muted", true}});
  auto su = b.read();
  ASSERT_TRUE(su);
  EXPECT_EQ(su->at("type"), "state_update");
  EXPECT_EQ(server.participants(), 2u);
}

TEST(ServerMessagesTest, FiftyFirstJoinGets403) {
  auto options = test_options();
  options.max_connections_per_ip = 100;
  ASSERT_EQ(options.max_participants_per_room, 50u);
  ServerFixture server(options);
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<WsClient>(server.port()));
    ASSERT_EQ(clients.back()->join("big").at("type"), "joined") << i;
  }
  WsClient late(server.port());
  auto reply = late.join("big");
  EXPECT_EQ(reply.at("type"), "error");
  EXPECT_EQ(reply.at("code"), 403);
  // Another room is still open to it.
  EXPECT_EQ(late.join("small").at("type"), "joined");
  EXPECT_EQ(server.participants(), 51u);
}

TEST(ServerMessagesTest, DuplicateParticipantIdGets409) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "same").at("type"), "joined");
  auto reply = b.join("r", "same");
  EXPECT_EQ(reply.at("type"), "error");
  EXPECT_EQ(reply.at("code"), 409);
  EXPECT_EQ(b.join("r", "other").at("type"), "joined");  // a failed join may be retried
}

TEST(ServerMessagesTest, TooManyRoomsGets403) {
  auto options = test_options();
  options.max_rooms = 1;
  ServerFixture server(options);
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("one").at("type"), "joined");
  auto reply = b.join("two");
  EXPECT_EQ(reply.at("code"), 403);
  EXPECT_EQ(b.join("one").at("type"), "joined");
}

}  // namespace
}  // namespace rrtc::signaling::testing
