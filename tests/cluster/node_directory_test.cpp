// NodeDirectory against a real redis-server: registration, the listing every heartbeat returns,
// load updates, TTL expiry of a node that stops heartbeating, a graceful leave, failures counted
// while Redis is down.
#include "cluster/node_directory.hpp"

#include <gtest/gtest.h>

#include "redis_server.hpp"

namespace rrtc::cluster {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using test::run_until;

RedisClientOptions fast_options(const RedisUrl& url) {
  RedisClientOptions o;
  o.url = url;
  o.backoff_initial = 20ms;
  o.backoff_max = 80ms;
  o.command_timeout = 500ms;
  return o;
}

NodeInfo node(std::string id) {
  NodeInfo n;
  n.id = id;
  n.signaling_url = "wss://" + id + ".example:8443/ws";
  n.media_address = "192.0.2.1";
  return n;
}

NodeDirectoryOptions fast_directory() {
  return NodeDirectoryOptions{.prefix = "t:", .heartbeat = 50ms, .ttl = 200ms};
}

std::vector<std::string> ids(const std::vector<NodeInfo>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.id);
  return out;
}

class NodeDirectoryTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start());
    redis_.start();
    ASSERT_TRUE(run_until(io_, [&] { return redis_.ready(); }));
  }
  RedisReply call(std::vector<std::string> args) {
    std::optional<RedisReply> out;
    redis_.command(std::move(args), [&](RedisReply r) { out = std::move(r); });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(RedisReply{});
  }

  RedisServer server_;
  boost::asio::io_context io_;
  RedisClient redis_{io_, fast_options(server_.url())};
};

TEST_F(NodeDirectoryTest, NodesRegisterAndEveryHeartbeatListsThemAll) {
  NodeInfo a = node("node-a");
  a.started_ms = 1700000000123;
  NodeDirectory da(io_, redis_, a, fast_directory());
  NodeDirectory db(io_, redis_, node("node-b"), fast_directory());
  int listings = 0;
  da.on_list([&](const std::vector<NodeInfo>&) { ++listings; });
  da.set_load(7, 2, 35);
  da.start();
  db.start();
  ASSERT_TRUE(run_until(io_, [&] { return da.nodes().size() == 2 && db.nodes().size() == 2; }));
  EXPECT_EQ(ids(da.nodes()), (std::vector<std::string>{"node-a", "node-b"}));
  const NodeInfo& seen = db.nodes()[0];
  EXPECT_EQ(seen.id, "node-a");
  EXPECT_EQ(seen.signaling_url, "wss://node-a.example:8443/ws");
  EXPECT_EQ(seen.media_address, "192.0.2.1");
  EXPECT_EQ(seen.participants, 7u);
  EXPECT_EQ(seen.rooms, 2u);
  EXPECT_EQ(seen.cpu_percent, 35u);
  EXPECT_FALSE(seen.draining);
  EXPECT_EQ(seen.started_ms, 1700000000123);
  EXPECT_GE(listings, 1);

  // The hash carries the TTL; the set holds both ids.
  const std::int64_t ttl = call({"PTTL", "t:node:node-a"}).value.integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 200);
  EXPECT_EQ(call({"SCARD", "t:nodes"}).value.integer, 2);

  da.set_load(9, 3, 50);
  da.set_draining(true);
  ASSERT_TRUE(run_until(io_, [&] { return db.nodes()[0].participants == 9; }));
  EXPECT_EQ(db.nodes()[0].rooms, 3u);
  EXPECT_TRUE(db.nodes()[0].draining);
  EXPECT_GT(da.stats().heartbeats, 1u);
  EXPECT_EQ(da.stats().heartbeat_failures, 0u);
}

TEST_F(NodeDirectoryTest, ANodeThatStopsHeartbeatingDisappearsWithinTheTtl) {
  NodeDirectory da(io_, redis_, node("node-a"), fast_directory());
  auto db = std::make_unique<NodeDirectory>(io_, redis_, node("node-b"), fast_directory());
  da.start();
  db->start();
  ASSERT_TRUE(run_until(io_, [&] { return da.nodes().size() == 2; }));
  db.reset();  // dies: no leave, no more heartbeats
  const auto died = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(
      io_, [&] { return da.nodes().size() == 1; }, 2s));
  const auto gone_after = std::chrono::steady_clock::now() - died;
  EXPECT_LE(gone_after, 200ms + 50ms + 500ms);  // ttl + one heartbeat + a loaded machine
  EXPECT_EQ(ids(da.nodes()), std::vector<std::string>{"node-a"});
  EXPECT_EQ(call({"EXISTS", "t:node:node-b"}).value.integer, 0);
  EXPECT_EQ(call({"SISMEMBER", "t:nodes", "node-b"}).value.integer, 0);  // cleaned lazily
}

TEST_F(NodeDirectoryTest, AGracefulStopLeavesAtOnce) {
  NodeDirectoryOptions slow = fast_directory();
  slow.ttl = 60s;
  NodeDirectory da(io_, redis_, node("node-a"), slow);
  NodeDirectory db(io_, redis_, node("node-b"), slow);
  da.start();
  db.start();
  ASSERT_TRUE(run_until(io_, [&] { return da.nodes().size() == 2; }));
  std::optional<bool> removed;
  db.stop([&](bool r) { removed = r; });
  ASSERT_TRUE(run_until(io_, [&] { return removed.has_value(); }));
  EXPECT_TRUE(*removed);
  ASSERT_TRUE(run_until(
      io_, [&] { return da.nodes().size() == 1; }, 1s));
  EXPECT_EQ(call({"EXISTS", "t:node:node-b"}).value.integer, 0);
}

TEST_F(NodeDirectoryTest, HeartbeatsFailWhileRedisIsDownAndResumeAfter) {
  NodeDirectory da(io_, redis_, node("node-a"), fast_directory());
  da.start();
  ASSERT_TRUE(run_until(io_, [&] { return da.stats().heartbeats >= 1; }));
  server_.kill_now();
  ASSERT_TRUE(run_until(io_, [&] { return da.stats().heartbeat_failures >= 2; }));
  const auto heartbeats_while_down = da.stats().heartbeats;
  ASSERT_TRUE(server_.start());
  // The restarted Redis is empty (no persistence) and has no scripts: EVALSHA falls back to EVAL.
  ASSERT_TRUE(run_until(io_, [&] { return da.stats().heartbeats > heartbeats_while_down; }));
  ASSERT_TRUE(run_until(io_, [&] { return da.nodes().size() == 1; }));
  EXPECT_EQ(call({"EXISTS", "t:node:node-a"}).value.integer, 1);
}

TEST(NodeDirectoryParse, ReadsAHashReplyAndRefusesOneWithoutId) {
  RedisValue hash;
  hash.type = RedisValue::Type::array;
  for (const char* s :
       {"id", "n1", "participants", "12", "cpu", "250", "draining", "1", "unknown", "ignored"}) {
    RedisValue v;
    v.type = RedisValue::Type::string;
    v.text = s;
    hash.elements.push_back(v);
  }
  auto parsed = NodeDirectory::parse_node(hash);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, "n1");
  EXPECT_EQ(parsed->participants, 12u);
  EXPECT_EQ(parsed->cpu_percent, 250u);
  EXPECT_TRUE(parsed->draining);
  hash.elements.erase(hash.elements.begin(), hash.elements.begin() + 2);
  EXPECT_FALSE(NodeDirectory::parse_node(hash));
}

}  // namespace
}  // namespace rrtc::cluster
