// Integration: limits, join tokens, dead and slow peers, shutdown.
#include <gtest/gtest.h>

#include "signaling/jwt.hpp"
#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

int error_code_of(const std::optional<json::object>& m) {
  if (!m || m->at("type") != "error") return 0;
  return static_cast<int>(m->at("code").as_int64());
}

TEST(ServerLimitsTest, OneMiBFrameGets413ThenClose) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  a.send(std::string(1024 * 1024, 'x'));
  auto m = a.read();
  EXPECT_EQ(error_code_of(m), 413);
  EXPECT_TRUE(a.wait_closed(websocket::close_code::too_big));
  EXPECT_TRUE(
      server.wait_until([](Server& s) { return s.participants() == 0 && s.sessions() == 0; }));
}

TEST(ServerLimitsTest, MessageJustUnderTheLimitIsAccepted) {
  auto options = test_options();
  options.max_message_bytes = 1024;
  ServerFixture server(options);
  WsClient a(server.port());
  json::object join{{"type", "join"}, {"room", "r"}, {"name", ""}};
  std::string text = json::serialize(join);
  join["name"] = std::string(1024 - text.size(), 'n');  // exactly 1024 bytes; name is then too long
  a.send(join);
  EXPECT_EQ(error_code_of(a.read()), 400);  // parsed (not 413): the name bound answers
  a.send(std::string(1025, ' '));
  EXPECT_EQ(error_code_of(a.read()), 413);
  EXPECT_TRUE(a.wait_closed(websocket::close_code::too_big));
}

TEST(ServerLimitsTest, ThousandMessagesInASecondGet429) {
  ServerFixture server(test_options());  // 50 per second, burst 100
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i)
    a.send(json::object{{"type", "state_update"}, {"muted", i % 2 == 0}});
  auto m = a.read();
  EXPECT_EQ(error_code_of(m), 429) << (m ? json::serialize(*m) : "none");
  EXPECT_FALSE(a.closed());
  // The burst (100, one of it spent on `join`) and what the rate refilled while sending reached
  // b; the rest did not.
  auto metrics = http_request(server.port(), "/metrics").body;
  // Everything counted was processed between `start` and now: the bucket allows its burst plus
  // the rate times that span.
  auto elapsed = std::chrono::steady_clock::now() - start;
  const std::string series = "rrtc_signaling_messages_sent_total{type=\"state_update\"} ";
  auto pos = metrics.find(series);
  ASSERT_NE(pos, std::string::npos);
  long forwarded = std::stol(metrics.substr(pos + series.size()));
  double seconds = std::chrono::duration<double>(elapsed).count();
  EXPECT_GE(forwarded, 99);
  EXPECT_LE(forwarded, 99 + static_cast<long>(50 * seconds) + 2) << seconds;
  EXPECT_NE(metrics.find("rrtc_signaling_errors_total{code=\"429\"} "), std::string::npos);
}

TEST(ServerLimitsTest, ClientThatNeverReadsIsDroppedAndOthersSeeItLeave) {
  auto options = test_options();
  options.send_queue_limit = 16;
  options.socket_send_buffer_bytes = 4096;
  options.max_messages_per_second = 1'000'000;
  ServerFixture server(options);
  WsClient sender(server.port());
  WsClient stuck(server.port(), {.receive_buffer = 4096});
  ASSERT_EQ(sender.join("r", "sender").at("type"), "joined");
  ASSERT_EQ(stuck.join("r", "stuck").at("type"), "joined");
  ASSERT_TRUE(sender.read_type("participant_joined"));
  // ~100 bytes per state_update to `stuck`: 5,000 of them overflow the socket buffers and then
  // the 16-message queue, so the server must drop `stuck` rather than buffer without bound.
  for (int i = 0; i < 5000; ++i) {
    sender.send(json::object{{"type", "state_update"}, {"muted", i % 2 == 0}});
  }
  auto left = sender.read_type("participant_left");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("participant_id"), "stuck");
  EXPECT_EQ(server.participants(), 1u);
  auto metrics = http_request(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("rrtc_signaling_sessions_dropped_total{reason=\"queue_overflow\"} 1"),
            std::string::npos);
}

TEST(ServerLimitsTest, DeadConnectionIsDroppedAfterMissedPongs) {
  auto options = test_options();
  options.ping_interval = std::chrono::seconds(1);
  options.max_missed_pongs = 1;
  ServerFixture server(options);
  WsClient alive(server.port());
  WsClient dead(server.port());  // never reads again, so never answers a ping
  ASSERT_EQ(alive.join("r", "alive").at("type"), "joined");
  ASSERT_EQ(dead.join("r", "dead").at("type"), "joined");
  ASSERT_TRUE(alive.read_type("participant_joined"));
  auto start = std::chrono::steady_clock::now();
  auto left = alive.read(10s);  // alive keeps reading, so it answers pings and stays
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("type"), "participant_left");
  EXPECT_EQ(left->at("participant_id"), "dead");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(server.participants(), 1u);
}

TEST(ServerLimitsTest, ConnectionsPerAddressAreLimited) {
  auto options = test_options();
  options.max_connections_per_ip = 2;
  ServerFixture server(options);
  WsClient a(server.port());
  WsClient b(server.port());
  // Refused before the upgrade: HTTP 429 (server_deadlines_test.cpp reads the whole answer).
  EXPECT_THROW(WsClient{server.port()}, std::exception);
  EXPECT_EQ(a.join("r").at("type"), "joined");
  EXPECT_EQ(http_request(server.port(), "/healthz").status, 429u);  // a third connection, too
}

class JoinTokenTest : public ::testing::Test {
 protected:
  static ServerOptions options() {
    auto o = test_options();
    o.join_secret = "top-secret";
    return o;
  }
  static std::string token(std::string_view room, std::string_view sub, std::int64_t exp_offset,
                           std::string_view secret = "top-secret") {
    auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() +
               exp_offset;
    json::object claims{{"room", room}, {"exp", exp}};
    if (!sub.empty()) claims["sub"] = sub;
    return sign_hs256(json::serialize(claims), secret);
  }
  int join_with(WsClient& c, std::string_view room, std::optional<std::string> tok,
                std::string_view participant = "") {
    json::object j{{"type", "join"}, {"room", room}};
    if (tok) j["token"] = *tok;
    if (!participant.empty()) j["participant"] = participant;
    c.send(j);
    auto m = c.read();
    if (m && m->at("type") == "joined") {
      last_id_ = std::string(m->at("your_id").as_string());
      return 200;
    }
    return error_code_of(m);
  }
  std::string last_id_;
};

TEST_F(JoinTokenTest, MissingInvalidExpiredOrForeignTokensGet401) {
  ServerFixture server(options());
  WsClient c(server.port());
  EXPECT_EQ(join_with(c, "r", std::nullopt), 401);
  EXPECT_EQ(join_with(c, "r", "garbage"), 401);
  EXPECT_EQ(join_with(c, "r", token("r", "", -10)), 401);                 // expired
  EXPECT_EQ(join_with(c, "r", token("r", "", 60, "wrong-secret")), 401);  // bad signature
  EXPECT_EQ(join_with(c, "r", token("other", "", 60)), 401);              // another room
  EXPECT_EQ(join_with(c, "r", token("r", "bob", 60), "eve"), 401);        // another participant
  std::string unsigned_token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                               base64url_encode(R"({"room":"r","exp":9999999999})") + ".";
  EXPECT_EQ(join_with(c, "r", unsigned_token), 401);
  EXPECT_FALSE(c.closed());
  EXPECT_EQ(server.participants(), 0u);
}

TEST_F(JoinTokenTest, ValidTokensJoinAndSubNamesTheParticipant) {
  ServerFixture server(options());
  WsClient a(server.port());
  EXPECT_EQ(join_with(a, "r", token("r", "", 60)), 200);
  EXPECT_EQ(last_id_.size(), 32u);
  WsClient b(server.port());
  EXPECT_EQ(join_with(b, "r", token("r", "bob", 60)), 200);
  EXPECT_EQ(last_id_, "bob");
  WsClient c(server.port());
  EXPECT_EQ(join_with(c, "r", token("r", "carol", 60), "carol"), 200);
  EXPECT_EQ(last_id_, "carol");
}

TEST(ServerShutdownTest, StopClosesEverySessionWith1001AndRunReturns) {
  ServerFixture server(test_options());
  WsClient a(server.port());
  WsClient b(server.port());
  WsClient idle(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("s", "b").at("type"), "joined");
  auto start = std::chrono::steady_clock::now();
  server.request_stop();
  EXPECT_TRUE(a.wait_closed(websocket::close_code::going_away));
  EXPECT_TRUE(b.wait_closed(websocket::close_code::going_away));
  EXPECT_TRUE(idle.wait_closed(websocket::close_code::going_away));
  EXPECT_TRUE(server.stop_and_wait(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  // Nothing listens any more.
  EXPECT_ANY_THROW(WsClient late(server.port()));
}

}  // namespace
}  // namespace rrtc::signaling::testing
