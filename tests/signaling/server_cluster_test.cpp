// Server: two signaling servers of one cluster, each on its own thread like two nodes, sharing
// a real redis-server (no media backend): whichever node a room lands on, participants joined
// through either node are in one room and their messages are relayed both ways; Redis down
// means 503 for joins that need it while the running room goes on; the room's node going away
// tells a relayed client who left and to rejoin.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cluster/redis_server.hpp"
#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;
using cluster::test::RedisServer;

ServerOptions node_options(const RedisServer& redis, const std::string& id) {
  ServerOptions options = test_options();
  options.cluster.redis_url = "redis://127.0.0.1:" + std::to_string(redis.port());
  options.cluster.node_id = id;
  options.cluster.signaling_url = "ws://127.0.0.1/" + id;
  options.cluster.heartbeat = std::chrono::seconds(1);
  options.cluster.node_ttl = std::chrono::seconds(2);
  return options;
}

json::object healthz(std::uint16_t port) {
  return json::parse(http_request(port, "/healthz").body).as_object();
}

// Spins until the node's last heartbeat listed `count` nodes, or 10 s passed.
bool sees_nodes(std::uint16_t port, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto health = healthz(port);
    if (health.at("cluster").at("nodes").as_array().size() == count) return true;
    std::this_thread::yield();
  }
  return false;
}

bool status_is(std::uint16_t port, std::string_view status) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (healthz(port).at("status").as_string() == status) return true;
    std::this_thread::yield();
  }
  return false;
}

std::string prefix_of(const json::object& message, std::size_t n) {
  return std::string(message.at("message").as_string()).substr(0, n);
}

struct TwoNodes : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(redis.start());
    a = std::make_unique<ServerFixture>(node_options(redis, "node-a"));
    b = std::make_unique<ServerFixture>(node_options(redis, "node-b"));
    ASSERT_TRUE(sees_nodes(a->port(), 2));
    ASSERT_TRUE(sees_nodes(b->port(), 2));
  }
  RedisServer redis;
  std::unique_ptr<ServerFixture> a;
  std::unique_ptr<ServerFixture> b;
};

TEST_F(TwoNodes, ParticipantsThroughTwoNodesShareOneRoomBothWays) {
  WsClient alice(a->port());
  ASSERT_EQ(alice.join("r1", "alice").at("type"), "joined");
  WsClient bob(b->port());
  auto joined = bob.join("r1", "bob");
  ASSERT_EQ(joined.at("type"), "joined") << json::serialize(joined);
  ASSERT_EQ(joined.at("participants").as_array().size(), 1u);
  EXPECT_EQ(joined.at("participants").as_array()[0].at("id"), "alice");
  auto news = alice.read_type("participant_joined");
  ASSERT_TRUE(news);
  EXPECT_EQ(news->at("id"), "bob");
  // One room on one node; the other node only relays.
  EXPECT_EQ(a->rooms() + b->rooms(), 1u);
  EXPECT_EQ(a->participants() + b->participants(), 2u);

  bob.send(json::object{{"type", "state_update"}, {"muted", true}});
  auto update = alice.read_type("state_update");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("participant_id"), "bob");
  EXPECT_EQ(update->at("muted"), true);
  alice.send(json::object{{"type", "state_update"}, {"video_on", false}});
  update = bob.read_type("state_update");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("participant_id"), "alice");
  EXPECT_EQ(update->at("video_on"), false);
  // An error from the room's node reaches the relayed client too.
  bob.send(json::object{{"type", "no_such_type"}});
  auto error = bob.read_type("error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), 400);

  const bool room_on_a = a->rooms() == 1;
  auto relaying = http_request(room_on_a ? b->port() : a->port(), "/metrics").body;
  EXPECT_NE(relaying.find("rrtc_cluster_joins_total{outcome=\"relayed\"} 1\n"), std::string::npos);
  EXPECT_NE(relaying.find("rrtc_cluster_relayed_sessions{side=\"client\"} 1\n"),
            std::string::npos);
  auto hosting = http_request(room_on_a ? a->port() : b->port(), "/metrics").body;
  EXPECT_NE(hosting.find("rrtc_cluster_relayed_sessions{side=\"room\"} 1\n"), std::string::npos);
  EXPECT_NE(hosting.find("rrtc_cluster_rooms_placed_here 1\n"), std::string::npos);

  bob.send(json::object{{"type", "leave"}});
  EXPECT_TRUE(bob.wait_closed(websocket::close_code::normal));
  auto left = alice.read_type("participant_left");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("participant_id"), "bob");
  EXPECT_TRUE((room_on_a ? a : b)->wait_until([](Server& s) { return s.participants() == 1; }));
}

TEST_F(TwoNodes, RedisDownRefusesNewRoomsWith503AndRunningRoomsGoOn) {
  WsClient alice(a->port());
  ASSERT_EQ(alice.join("running", "alice").at("type"), "joined");
  const bool room_on_a = a->rooms() == 1;
  auto& home = room_on_a ? *a : *b;
  redis.stop();
  ASSERT_TRUE(status_is(a->port(), "degraded"));
  WsClient late(a->port());
  auto reply = late.join("new-room", "late");
  ASSERT_EQ(reply.at("type"), "error") << json::serialize(reply);
  EXPECT_EQ(reply.at("code"), 503);
  EXPECT_EQ(prefix_of(reply, 21), "cluster unavailable: ");
  // Joining the room where it runs needs no Redis.
  WsClient carol(home.port());
  auto joined = carol.join("running", "carol");
  ASSERT_EQ(joined.at("type"), "joined") << json::serialize(joined);
  EXPECT_EQ(joined.at("participants").as_array().size(), 1u);
  auto health = healthz(a->port());
  EXPECT_NE(health.at("cluster").at("redis"), "connected");

  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(status_is(a->port(), "ok"));
  ASSERT_TRUE(status_is(b->port(), "ok"));
  WsClient again(a->port());
  auto after = again.join("after", "again");
  EXPECT_EQ(after.at("type"), "joined") << json::serialize(after);
}

TEST_F(TwoNodes, TheRoomNodeGoingAwayTellsRelayedClientsToRejoin) {
  WsClient alice(a->port());
  ASSERT_EQ(alice.join("r2", "alice").at("type"), "joined");
  const bool room_on_a = a->rooms() == 1;
  WsClient bob(room_on_a ? b->port() : a->port());
  ASSERT_EQ(bob.join("r2", "bob").at("type"), "joined");
  if (room_on_a) {
    ASSERT_TRUE(a->stop_and_wait(10s));
  } else {
    ASSERT_TRUE(b->stop_and_wait(10s));
  }
  // Alice was on the room's node (or was relayed to it): she is gone for bob.
  auto left = bob.read_type("participant_left");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->at("participant_id"), "alice");
  auto error = bob.read_type("error");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), 503);
  EXPECT_EQ(prefix_of(*error, 8), "rejoin: ");
  EXPECT_TRUE(bob.wait_closed(websocket::close_code::try_again_later));
}

}  // namespace
}  // namespace rrtc::signaling::testing
