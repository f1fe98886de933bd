// Bus against a real redis-server: a relayed round trip between two nodes, a send to a node
// that is not listening, foreign messages on a node's channel, and delivery after Redis
// restarted (the subscriber connection resubscribes).
#include "cluster/bus.hpp"

#include <gtest/gtest.h>

#include "redis_server.hpp"

namespace rrtc::cluster {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using test::run_until;

RedisClientOptions client_options(const RedisUrl& url, bool subscriber) {
  RedisClientOptions o;
  o.url = url;
  o.name = subscriber ? "bus" : "commands";
  o.backoff_initial = 20ms;
  o.backoff_max = 80ms;
  if (subscriber) o.ping_interval = 0ms;
  return o;
}

// One node's two connections and its bus; keeps copies of what it received.
struct Node {
  Node(boost::asio::io_context& io, const RedisUrl& url, std::string id)
      : commands(io, client_options(url, false)),
        subscriber(io, client_options(url, true)),
        bus(commands, subscriber, std::move(id)) {
    bus.start([this](const Envelope& e) {
      received.push_back({e.kind, std::string(e.from), std::string(e.to), std::string(e.session),
                          std::string(e.payload)});
    });
    commands.start();
    subscriber.start();
  }
  struct Copy {
    EnvelopeKind kind;
    std::string from, to, session, payload;
    bool operator==(const Copy&) const = default;
  };
  RedisClient commands;
  RedisClient subscriber;
  Bus bus;
  std::vector<Copy> received;
};

class BusTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()); }
  // Until Redis counts the node's subscriber on its channel (SUBSCRIBE has no reply of ours).
  bool listening(Node& via, const std::string& id) {
    return run_until(io_, [&] {
      if (!via.commands.ready()) return false;
      std::optional<RedisReply> r;
      via.commands.command({"PUBSUB", "NUMSUB", Bus::channel("rrtc:", id)},
                           [&](RedisReply reply) { r = std::move(reply); });
      if (!run_until(io_, [&] { return r.has_value(); })) return false;
      return r->ok() && r->value.elements.size() == 2 && r->value.elements[1].integer == 1;
    });
  }
  std::int64_t send(Node& from, const Envelope& e) {
    std::optional<std::int64_t> out;
    EXPECT_TRUE(from.bus.send(e, [&](const RedisReply& r, std::int64_t delivered) {
      EXPECT_TRUE(r.ok()) << r.message;
      out = delivered;
    }));
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(-1);
  }

  RedisServer server_;
  boost::asio::io_context io_;
};

TEST_F(BusTest, ARelayedMessageAndItsReplyMakeTheRoundTrip) {
  Node a(io_, server_.url(), "node-a");
  Node b(io_, server_.url(), "node-b");
  ASSERT_TRUE(listening(a, "node-a"));
  ASSERT_TRUE(listening(a, "node-b"));

  const std::string join = R"({"type":"join","room":"r1","name":"Ann \"A\"\n"})";
  EXPECT_EQ(send(a, {EnvelopeKind::open, "node-a", "node-b", "s-17", join}), 1);
  ASSERT_TRUE(run_until(io_, [&] { return b.received.size() == 1; }));
  EXPECT_EQ(b.received[0], (Node::Copy{EnvelopeKind::open, "node-a", "node-b", "s-17", join}));

  const std::string joined = R"({"type":"joined","participant_id":"p1"})";
  EXPECT_EQ(send(b, {EnvelopeKind::message, "node-b", "node-a", "s-17", joined}), 1);
  ASSERT_TRUE(run_until(io_, [&] { return a.received.size() == 1; }));
  EXPECT_EQ(a.received[0], (Node::Copy{EnvelopeKind::message, "node-b", "node-a", "s-17", joined}));

  EXPECT_EQ(a.bus.stats().sent, 1u);
  EXPECT_EQ(a.bus.stats().received, 1u);
  EXPECT_EQ(b.bus.stats().sent, 1u);
  EXPECT_EQ(b.bus.stats().received, 1u);
  EXPECT_EQ(b.subscriber.stats().messages, 1u);
}

TEST_F(BusTest, ASendToANodeThatIsNotListeningReportsZeroReceivers) {
  Node a(io_, server_.url(), "node-a");
  ASSERT_TRUE(listening(a, "node-a"));
  EXPECT_EQ(send(a, {EnvelopeKind::close, "node-a", "node-gone", "s-1", "{}"}), 0);
  EXPECT_EQ(a.bus.stats().undelivered, 1u);
  EXPECT_EQ(a.bus.stats().sent, 0u);
  EXPECT_FALSE(a.bus.send({EnvelopeKind::message, "node-a", "bad id", "s-1", "{}"}));
}

TEST_F(BusTest, ForeignMessagesOnANodesChannelAreCountedAndDropped) {
  Node a(io_, server_.url(), "node-a");
  Node b(io_, server_.url(), "node-b");
  ASSERT_TRUE(listening(a, "node-b"));
  auto publish = [&](std::string text) {
    std::optional<RedisReply> r;
    a.commands.command({"PUBLISH", "rrtc:bus:node-b", std::move(text)},
                       [&](RedisReply reply) { r = std::move(reply); });
    ASSERT_TRUE(run_until(io_, [&] { return r.has_value(); }));
  };
  publish("not an envelope");
  publish("RRTC1 message node-a node-c s-1\n{}");  // for another node
  publish("RRTC1 message node-a node-b s-1\n{}");  // a good one, so we know the others arrived
  ASSERT_TRUE(run_until(io_, [&] { return b.received.size() == 1; }));
  EXPECT_EQ(b.bus.stats().malformed, 1u);
  EXPECT_EQ(b.bus.stats().misaddressed, 1u);
  EXPECT_EQ(b.bus.stats().received, 1u);
}

TEST_F(BusTest, DeliversAgainAfterRedisRestarted) {
  Node a(io_, server_.url(), "node-a");
  Node b(io_, server_.url(), "node-b");
  ASSERT_TRUE(listening(a, "node-b"));
  server_.kill_now();
  ASSERT_TRUE(run_until(io_, [&] { return !a.commands.ready() && !b.subscriber.ready(); }));
  std::optional<RedisReply> down;
  a.bus.send({EnvelopeKind::message, "node-a", "node-b", "s-1", "{}"},
             [&](const RedisReply& r, std::int64_t) { down = r; });
  ASSERT_TRUE(run_until(io_, [&] { return down.has_value(); }));
  EXPECT_EQ(down->error, RedisErrc::unavailable);
  EXPECT_EQ(a.bus.stats().send_failures, 1u);

  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(listening(a, "node-b"));
  EXPECT_EQ(send(a, {EnvelopeKind::message, "node-a", "node-b", "s-1", R"({"after":true})"}), 1);
  ASSERT_TRUE(run_until(io_, [&] { return b.received.size() == 1; }));
  EXPECT_EQ(b.received[0].payload, R"({"after":true})");
}

}  // namespace
}  // namespace rrtc::cluster
