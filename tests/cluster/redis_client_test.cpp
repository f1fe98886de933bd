// RedisClient against a real redis-server: commands and replies, errors, reconnection after a
// restart with backoff, command timeouts, PING round trip, AUTH / SELECT, counters.
#include "cluster/redis_client.hpp"

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
  o.command_timeout = 300ms;
  o.connect_timeout = 300ms;
  return o;
}

// Sends one command and runs the loop until its reply.
RedisReply call(boost::asio::io_context& io, RedisClient& client, std::vector<std::string> args) {
  std::optional<RedisReply> out;
  client.command(std::move(args), [&](RedisReply r) { out = std::move(r); });
  EXPECT_TRUE(run_until(io, [&] { return out.has_value(); }));
  return out.value_or(RedisReply{RedisErrc::timeout, "no reply", {}});
}

TEST(RedisClient, DefaultsAreTheDocumentedOnes) {
  RedisClientOptions o;
  EXPECT_EQ(o.backoff_initial, 500ms);
  EXPECT_EQ(o.backoff_max, 10000ms);
  EXPECT_EQ(o.command_timeout, 2000ms);
}

TEST(RedisClient, RunsCommandsAndCopiesEveryReplyType) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisClient client(io, fast_options(server.url()));
  std::vector<bool> states;
  client.on_state([&](bool ready) { states.push_back(ready); });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));
  EXPECT_EQ(states, std::vector<bool>{true});
  EXPECT_TRUE(client.last_error().empty());

  const std::string binary("a\0b\r\nc", 6);
  EXPECT_EQ(call(io, client, {"SET", "k", binary}).value.text, "OK");
  RedisReply get = call(io, client, {"GET", "k"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.value.type, RedisValue::Type::string);
  EXPECT_EQ(get.value.text, binary);
  EXPECT_EQ(call(io, client, {"INCRBY", "n", "41"}).value.integer, 41);
  EXPECT_TRUE(call(io, client, {"GET", "missing"}).value.is_nil());
  call(io, client, {"RPUSH", "list", "x", "y"});
  RedisReply range = call(io, client, {"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(range.value.elements.size(), 2u);
  EXPECT_EQ(range.value.elements[1].text, "y");

  RedisReply wrong = call(io, client, {"INCR", "list"});
  EXPECT_EQ(wrong.error, RedisErrc::server);
  EXPECT_EQ(wrong.message.rfind("WRONGTYPE", 0), 0u) << wrong.message;

  const RedisStats& s = client.stats();
  EXPECT_EQ(s.connects, 1u);
  EXPECT_EQ(s.server_errors, 1u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.unavailable, 0u);
  EXPECT_GE(s.commands, 8u);  // 7 above + the handshake PING (+ keepalive PINGs)
}

TEST(RedisClient, FailsClearlyWhileDownAndWorksAgainAfterARestart) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisClient client(io, fast_options(server.url()));
  std::vector<bool> states;
  client.on_state([&](bool ready) { states.push_back(ready); });
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));
  ASSERT_TRUE(call(io, client, {"SET", "before", "1"}).ok());

  server.kill_now();
  ASSERT_TRUE(run_until(io, [&] { return !client.ready(); }));
  RedisReply down = call(io, client, {"GET", "before"});
  EXPECT_EQ(down.error, RedisErrc::unavailable);
  EXPECT_NE(down.message.find("redis unavailable: 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << down.message;
  // A few refused attempts: the backoff doubles up to its cap.
  ASSERT_TRUE(run_until(io, [&] { return client.stats().connect_failures >= 3; }));
  EXPECT_EQ(client.backoff(), 80ms);

  ASSERT_TRUE(server.start());
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));
  EXPECT_EQ(client.backoff(), 20ms);                                // reset by the good connection
  EXPECT_TRUE(call(io, client, {"GET", "before"}).value.is_nil());  // no persistence
  EXPECT_EQ(call(io, client, {"SET", "after", "2"}).value.text, "OK");

  EXPECT_EQ(states, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(client.stats().connects, 2u);
  EXPECT_EQ(client.stats().disconnects, 1u);
  EXPECT_EQ(client.stats().unavailable, 1u);
}

TEST(RedisClient, ATimedOutCommandResetsTheConnection) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisClientOptions options = fast_options(server.url());
  options.ping_interval = 0ms;
  RedisClient client(io, options);
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));

  server.pause();  // SIGSTOP: the socket stays open, nothing answers
  std::optional<RedisReply> first, second;
  client.command({"SET", "a", "1"}, [&](RedisReply r) { first = std::move(r); });
  client.command({"SET", "b", "2"}, [&](RedisReply r) { second = std::move(r); });
  ASSERT_TRUE(run_until(io, [&] { return first && second; }));
  EXPECT_EQ(first->error, RedisErrc::timeout);
  EXPECT_EQ(first->message, "redis: no reply within 300 ms");
  EXPECT_EQ(second->error, RedisErrc::connection_lost);
  EXPECT_FALSE(client.ready());
  EXPECT_EQ(client.stats().timeouts, 1u);

  server.resume();
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));
  EXPECT_TRUE(call(io, client, {"PING"}).ok());
}

TEST(RedisClient, MeasuresThePingRoundTrip) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisClientOptions options = fast_options(server.url());
  options.ping_interval = 20ms;
  RedisClient client(io, options);
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return client.stats().last_rtt.count() > 0; }));
  EXPECT_LT(client.stats().last_rtt, 100ms);
  EXPECT_GE(client.stats().max_rtt, client.stats().last_rtt);
}

TEST(RedisClient, AuthenticatesAndSelectsTheDatabase) {
  RedisServer server({"--requirepass", "s3cret"});
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisUrl url = server.url();
  url.password = "s3cret";
  url.db = 3;
  RedisClient client(io, fast_options(url));
  client.start();
  ASSERT_TRUE(run_until(io, [&] { return client.ready(); }));
  ASSERT_TRUE(call(io, client, {"SET", "in3", "x"}).ok());
  EXPECT_EQ(call(io, client, {"EXISTS", "in3"}).value.integer, 1);
  ASSERT_TRUE(call(io, client, {"SELECT", "0"}).ok());
  EXPECT_EQ(call(io, client, {"EXISTS", "in3"}).value.integer, 0);

  url.password = "wrong";
  RedisClient refused(io, fast_options(url));
  refused.start();
  ASSERT_TRUE(run_until(io, [&] { return refused.stats().connect_failures >= 1; }));
  EXPECT_FALSE(refused.ready());
  EXPECT_NE(refused.last_error().find("AUTH: WRONGPASS"), std::string::npos)
      << refused.last_error();
}

TEST(RedisClient, StopFailsTheCommandsInFlightAndAHandlerMayDestroyTheClient) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  auto client = std::make_unique<RedisClient>(io, fast_options(server.url()));
  client->start();
  ASSERT_TRUE(run_until(io, [&] { return client->ready(); }));
  std::optional<RedisReply> stopped;
  client->command({"BLPOP", "nothing", "1"}, [&](RedisReply r) { stopped = std::move(r); });
  client->stop();
  ASSERT_TRUE(run_until(io, [&] { return stopped.has_value(); }));
  EXPECT_EQ(stopped->error, RedisErrc::connection_lost);
  EXPECT_EQ(stopped->message, "client stopped");

  client->start();
  ASSERT_TRUE(run_until(io, [&] { return client->ready(); }));
  int later_calls = 0;
  bool first = false;
  client->command({"PING"}, [&](RedisReply) {
    first = true;
    client.reset();  // from inside the reply callback
  });
  client->command({"PING"}, [&](RedisReply) { ++later_calls; });
  ASSERT_TRUE(run_until(io, [&] { return first; }));
  run_until(
      io, [] { return false; }, 50ms);
  EXPECT_EQ(later_calls, 0);
}

TEST(RedisClient, SubscriberGetsMessagesAndResubscribesAfterARestart) {
  RedisServer server;
  ASSERT_TRUE(server.start());
  boost::asio::io_context io;
  RedisClient publisher(io, fast_options(server.url()));
  RedisClientOptions sub_options = fast_options(server.url());
  sub_options.ping_interval = 0ms;
  RedisClient subscriber(io, sub_options);
  std::vector<std::string> got;
  subscriber.subscribe("ch", [&](std::string_view channel, std::string_view message) {
    EXPECT_EQ(channel, "ch");
    got.emplace_back(message);
  });
  publisher.start();
  subscriber.start();
  // SUBSCRIBE has no reply handler of ours: ask Redis until it counts the subscriber.
  auto subscribed = [&] {
    return run_until(io, [&] {
      if (!publisher.ready() || !subscriber.ready()) return false;
      RedisReply r = call(io, publisher, {"PUBSUB", "NUMSUB", "ch"});
      return r.ok() && r.value.elements.size() == 2 && r.value.elements[1].integer == 1;
    });
  };
  ASSERT_TRUE(subscribed());
  EXPECT_EQ(call(io, publisher, {"PUBLISH", "ch", "one"}).value.integer, 1);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  RedisReply refused = call(io, subscriber, {"GET", "x"});
  EXPECT_EQ(refused.error, RedisErrc::unavailable);
  EXPECT_EQ(refused.message, "redis: commands on a subscriber connection");

  server.kill_now();
  ASSERT_TRUE(run_until(io, [&] { return !subscriber.ready() && !publisher.ready(); }));
  ASSERT_TRUE(server.start());
  ASSERT_TRUE(subscribed());
  EXPECT_EQ(call(io, publisher, {"PUBLISH", "ch", std::string("two\0", 4)}).value.integer, 1);
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 2; }));
  EXPECT_EQ(got, (std::vector<std::string>{"one", std::string("two\0", 4)}));
  EXPECT_EQ(subscriber.stats().messages, 2u);
  EXPECT_EQ(subscriber.stats().connects, 2u);
}

}  // namespace
}  // namespace rrtc::cluster
