// Integration: the admin API of the real Server over real HTTP, seen by real WebSocket clients
// (docs/admin-api.md): every endpoint, 401/404/405/409/415, the stats query answered from
// another thread, and a query never answered (504 at message_timeout, not a hang).
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "signaling/jwt.hpp"
#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;

constexpr std::string_view kKey = "key1";
constexpr std::string_view kSecret = "api-secret-for-tests";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string admin_token(std::int64_t ttl = 600, std::string_view key = kKey,
                        std::string_view secret = kSecret) {
  return make_admin_token(key, unix_now() + ttl, secret);
}

struct ApiReply {
  unsigned status = 0;
  std::string body;
  std::string www_authenticate;
  std::string allow;
  std::string content_type;
  json::object object() const { return json::parse(body).as_object(); }
  std::string error() const { return std::string(object().at("error").at("message").as_string()); }
};

ApiReply api(std::uint16_t port, http::verb method, std::string_view target,
             std::optional<std::string> token = admin_token(), std::string body = {},
             std::string content_type = "application/json") {
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(15));
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (token) request.set(http::field::authorization, "Bearer " + *token);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  ApiReply reply;
  reply.status = response.result_int();
  reply.body = response.body();
  reply.www_authenticate = std::string(response[http::field::www_authenticate]);
  reply.allow = std::string(response[http::field::allow]);
  reply.content_type = std::string(response[http::field::content_type]);
  return reply;
}

ServerOptions admin_options() {
  ServerOptions o = test_options();
  o.api_key = kKey;
  o.api_secret = kSecret;
  return o;
}

// Records State requests; holds room queries until the test answers them (from its own thread).
class StatsBackend : public room::MediaBackend {
 public:
  void attach(std::shared_ptr<room::SignalingChannel> channel) override { channel_ = channel; }
  void submit(room::MediaRequest request) override {
    if (auto* state = std::get_if<room::request::State>(&request.command)) {
      std::lock_guard lock(mutex_);
      states_.push_back(request.participant + (state->state.muted ? " muted" : " unmuted"));
    }
  }
  void query_room(std::string room, StatsCallback done) override {
    std::lock_guard lock(mutex_);
    queries_.emplace_back(std::move(room), std::move(done));
    changed_.notify_all();
  }
  // Waits for a query of `room` and hands it over; nullptr at the deadline.
  StatsCallback take_query(const std::string& room) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return !queries_.empty(); });
    if (queries_.empty() || queries_.front().first != room) return nullptr;
    auto done = std::move(queries_.front().second);
    queries_.erase(queries_.begin());
    return done;
  }
  std::vector<std::string> states() {
    std::lock_guard lock(mutex_);
    return states_;
  }
  std::shared_ptr<room::SignalingChannel> channel_;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, StatsCallback>> queries_;
  std::vector<std::string> states_;
};

TEST(AdminServerTest, ApiIsOffWithoutSecret) {
  ServerFixture server(test_options());
  auto reply = api(server.port(), http::verb::get, "/api/rooms");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.body, "not found\n");
  EXPECT_EQ(reply.status, http_request(server.port(), "/no-such-path").status);
}

TEST(AdminServerTest, BadTokensAre401WithChallenge) {
  ServerFixture server(admin_options());
  struct Case {
    std::optional<std::string> token;
    std::string_view message;
  };
  const Case cases[] = {
      {std::nullopt, "an 'Authorization: Bearer <token>' header is required"},
      {admin_token(600, kKey, "wrong-secret"), "API token signature is invalid"},
      {admin_token(600, "key2"), "API token was issued for another API key"},
      {admin_token(-5), "API token has expired"},
      {"garbage", "API token is malformed"},
      {make_join_token("r", std::nullopt, unix_now() + 600, kSecret),
       "API token lacks a valid 'iss' or 'exp' claim"},
  };
  for (const auto& c : cases) {
    auto reply = api(server.port(), http::verb::get, "/api/rooms", c.token);
    EXPECT_EQ(reply.status, 401u) << c.message;
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_EQ(reply.error(), c.message);
    EXPECT_EQ(reply.object().at("error").at("code"), 401);
    EXPECT_TRUE(reply.www_authenticate.starts_with("Bearer realm=\"rrtc\"")) << c.message;
  }
  // Unauthenticated requests learn nothing about paths either.
  EXPECT_EQ(api(server.port(), http::verb::get, "/api/nothing", std::nullopt).status, 401u);
  auto metrics = http_request(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("rrtc_admin_requests_total{status=\"401\"} 7\n"), std::string::npos);
}

TEST(AdminServerTest, UnknownPathsMethodsAndBodies) {
  ServerFixture server(admin_options());
  auto reply = api(server.port(), http::verb::get, "/api/nothing");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.error(), "no such API endpoint");
  reply = api(server.port(), http::verb::put, "/api/rooms/r");
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.allow, "GET, DELETE");
  reply = api(server.port(), http::verb::post, "/api/tokens", admin_token(), "room=r",
              "application/x-www-form-urlencoded");
  EXPECT_EQ(reply.status, 415u);
  reply = api(server.port(), http::verb::post, "/api/tokens", admin_token(), R"({"room":"r"})");
  EXPECT_EQ(reply.status, 409u);
  EXPECT_EQ(reply.error(), "this server has no join_secret: joins need no token here");
  for (std::string_view target : {"/api/rooms/none", "/api/rooms/none/participants/a"}) {
    reply = api(server.port(), target.ends_with("none") ? http::verb::get : http::verb::delete_,
                target);
    EXPECT_EQ(reply.status, 404u);
    EXPECT_EQ(reply.error(), "no such room");
  }
  EXPECT_EQ(api(server.port(), http::verb::delete_, "/api/rooms/none").status, 404u);
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  reply = api(server.port(), http::verb::delete_, "/api/rooms/r/participants/zed");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.error(), "no such participant in this room");
  reply = api(server.port(), http::verb::post, "/api/rooms/r/participants/a/mute", admin_token(),
              R"({"track_id":"a-video"})");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_EQ(reply.error(), "no such track of this participant");
  reply = api(server.port(), http::verb::post, "/api/rooms/r/participants/a/mute", admin_token(),
              R"({"type":"video"})");
  EXPECT_EQ(reply.status, 400u);
  // A body over max_message_bytes: 413, and the connection closes.
  ServerOptions small = admin_options();
  small.max_message_bytes = 20 * 1024;
  ServerFixture limited(small);
  reply = api(limited.port(), http::verb::post, "/api/tokens", admin_token(),
              R"({"room":")" + std::string(30 * 1024, 'r') + R"("})");
  EXPECT_EQ(reply.status, 413u);
}

TEST(AdminServerTest, ListsRoomsAndShowsARoomWithStatsFromTheMediaThread) {
  StatsBackend backend;
  ServerFixture server(admin_options(), &backend);
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r1", "alice", "Alice").at("type"), "joined");
  ASSERT_EQ(b.join("r2", "bob").at("type"), "joined");
  backend.channel_->tracks_changed("r1", "alice",
                                   {{"alice-audio", "0", room::TrackType::audio, "opus"}});
  auto rooms = api(server.port(), http::verb::get, "/api/rooms").object();
  const auto& list = rooms.at("rooms").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "r1");
  EXPECT_EQ(list[0].at("participants"), 1);
  EXPECT_NEAR(double(list[0].at("created_at").as_int64()), double(unix_now()), 5.0);
  EXPECT_EQ(list[1].at("name"), "r2");

  auto pending = std::async(std::launch::async,
                            [&] { return api(server.port(), http::verb::get, "/api/rooms/r1"); });
  auto done = backend.take_query("r1");
  ASSERT_TRUE(done);
  room::ParticipantStats stats;
  stats.participant = "alice";
  stats.connected = true;
  stats.packets_received = 42;
  stats.tracks.push_back({{"alice-audio", "0", room::TrackType::audio, "opus"}, true, 40, 4000});
  done({stats});  // this (the test's) thread, as a worker would
  auto reply = pending.get();
  ASSERT_EQ(reply.status, 200u) << reply.body;
  auto room = reply.object();
  EXPECT_EQ(room.at("name"), "r1");
  const auto& alice = room.at("participants").as_array().at(0).as_object();
  EXPECT_EQ(alice.at("id"), "alice");
  EXPECT_EQ(alice.at("name"), "Alice");
  EXPECT_EQ(alice.at("stats").at("packets_received"), 42);
  EXPECT_EQ(json::serialize(alice.at("tracks")),
            R"([{"track_id":"alice-audio","mid":"0","type":"audio","codec":"opus",)"
            R"("forwarding":true,"packets":40,"bytes":4000}])");
}

TEST(AdminServerTest, StatsThatNeverComeAre504AtMessageTimeout) {
  StatsBackend backend;
  ServerOptions o = admin_options();
  o.message_timeout = std::chrono::seconds(1);
  ServerFixture server(o, &backend);
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  auto start = std::chrono::steady_clock::now();
  auto reply = api(server.port(), http::verb::get, "/api/rooms/r");
  double waited = seconds_since(start);
  EXPECT_EQ(reply.status, 504u);
  EXPECT_EQ(reply.error(), "the media stack did not answer in time");
  EXPECT_GE(waited, 0.9);
  EXPECT_LT(waited, 5.0);
  std::printf("504 after %.2f s (message_timeout 1 s)\n", waited);
  // The answer arriving late is dropped; the server stays healthy and stops promptly.
  auto late = backend.take_query("r");
  ASSERT_TRUE(late);
  late({});
  EXPECT_EQ(http_request(server.port(), "/healthz").status, 200u);
  EXPECT_TRUE(server.stop_and_wait(std::chrono::seconds(5)));
}

TEST(AdminServerTest, RemoveIsSeenByTheOthers) {
  ServerFixture server(admin_options());
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  auto reply = api(server.port(), http::verb::delete_, "/api/rooms/r/participants/b");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, R"({"room":"r","participant":"b","removed":true})");
  auto error = b.read_type("error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), 403);
  EXPECT_EQ(error->at("message"), "removed by the server");
  EXPECT_TRUE(b.wait_closed(websocket::close_code::policy_error));
  auto left = a.read_type("participant_left");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("participant_id"), "b");
  EXPECT_EQ(server.participants(), 1u);
}

TEST(AdminServerTest, MuteReachesEveryoneAndTheMediaStack) {
  StatsBackend backend;
  ServerFixture server(admin_options(), &backend);
  WsClient a(server.port());
  WsClient b(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  auto reply = api(server.port(), http::verb::post, "/api/rooms/r/participants/b/mute",
                   admin_token(), R"({"track_id":"b-audio"})");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, R"({"room":"r","participant":"b","state":{"muted":true,)"
                        R"("video_on":true,"screen_sharing":false}})");
  for (WsClient* client : {&a, &b}) {
    auto update = client->read_type("state_update");
    ASSERT_TRUE(update);
    EXPECT_EQ(update->at("participant_id"), "b");
    EXPECT_EQ(update->at("muted"), true);
    EXPECT_EQ(update->at("video_on"), true);
  }
  EXPECT_EQ(backend.states(), std::vector<std::string>{"b muted"});
  // The camera by type; then the participant unmutes itself, as documented.
  reply = api(server.port(), http::verb::post, "/api/rooms/r/participants/b/mute", admin_token(),
              R"({"type":"camera"})");
  EXPECT_EQ(reply.object().at("state").at("video_on"), false);
  ASSERT_TRUE(a.read_type("state_update"));
  b.send(json::object{{"type", "state_update"}, {"muted", false}});
  auto unmuted = a.read_type("state_update");
  ASSERT_TRUE(unmuted);
  EXPECT_EQ(unmuted->at("muted"), false);
  EXPECT_EQ(unmuted->at("video_on"), false);
}

TEST(AdminServerTest, CloseRoomDisconnectsEveryoneAndRemovesIt) {
  ServerOptions o = admin_options();
  o.empty_room_grace = std::chrono::seconds(60);  // closed rooms go at once even so
  ServerFixture server(o);
  WsClient a(server.port());
  WsClient b(server.port());
  WsClient other(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_EQ(other.join("elsewhere", "c").at("type"), "joined");
  auto reply = api(server.port(), http::verb::delete_, "/api/rooms/r");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, R"({"room":"r","closed":true,"participants":2})");
  for (WsClient* client : {&a, &b}) {
    auto error = client->read_type("error");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->at("code"), 403);
    EXPECT_EQ(error->at("message"), "room closed by the server");
    EXPECT_TRUE(client->wait_closed(websocket::close_code::policy_error));
  }
  EXPECT_EQ(server.rooms(), 1u);
  EXPECT_EQ(api(server.port(), http::verb::get, "/api/rooms/r").status, 404u);
  auto rooms = api(server.port(), http::verb::get, "/api/rooms").object().at("rooms").as_array();
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].at("name"), "elsewhere");
}

TEST(AdminServerTest, MintedTokensAdmitAJoin) {
  ServerOptions o = admin_options();
  o.join_secret = "join-secret";
  ServerFixture server(o);
  auto reply = api(server.port(), http::verb::post, "/api/tokens", admin_token(),
                   R"({"room":"r","identity":"carol","ttl_seconds":120})");
  ASSERT_EQ(reply.status, 200u);
  auto minted = reply.object();
  EXPECT_NEAR(double(minted.at("expires_at").as_int64()), double(unix_now() + 120), 3.0);
  std::string token(minted.at("token").as_string());
  WsClient refused(server.port());
  refused.send(json::object{{"type", "join"}, {"room", "r"}});
  EXPECT_EQ(refused.read_type("error")->at("code"), 401);
  WsClient carol(server.port());
  carol.send(json::object{{"type", "join"}, {"room", "r"}, {"token", token}});
  auto joined = carol.read();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->at("type"), "joined");
  EXPECT_EQ(joined->at("your_id"), "carol");
  WsClient wrong_room(server.port());
  wrong_room.send(json::object{{"type", "join"}, {"room", "other"}, {"token", token}});
  EXPECT_EQ(wrong_room.read_type("error")->at("message"), "join token is for another room");
}

}  // namespace
}  // namespace rrtc::signaling::testing
