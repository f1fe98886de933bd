#pragma once
// One connection to Redis (hiredis's async API), with reconnection, command timeouts, PING
// round-trip measurement and counters. A cluster node holds two: one for commands and one in
// subscriber mode for its bus channel (a connection that has subscribed may only subscribe,
// RESP2), see bus.hpp.
//
// Which thread: the signaling thread's io_context, not a thread of its own. Every user of the
// cluster layer is the Hub (joins, relayed messages, room ends), which lives on that thread;
// with the client on the same loop, replies and bus messages arrive as plain callbacks on the
// Hub's thread, and nothing is shared between threads, so there are no locks and no queues
// between the Hub and Redis. Redis work per event is small (one round trip per join or
// heartbeat, see docs/cluster.md) and never blocks: hiredis writes and reads only when the
// socket is ready. The one blocking step is resolving a host name when connecting (hiredis
// 0.14 calls getaddrinfo); use an address in redis_url where that matters.
//
// Contract:
// - Construct, call and destroy on the io_context's thread only. Callbacks run on it.
// - command() never calls its handler before returning: a failure found at once (not
//   connected) is posted. A handler may destroy the client; the client then drops every other
//   pending handler without calling it.
// - While disconnected, commands fail at once with RedisErrc::unavailable and a message that
//   says why ("redis unavailable: 127.0.0.1:6379: Connection refused"): nothing is queued, so
//   callers (joins) can answer 503 right away instead of waiting for a reconnection.
// - Reconnection: after a failed connect or a lost connection, wait backoff_initial, doubling
//   to backoff_max; reset after a connection that completed AUTH / SELECT / PING.
// - A command without a reply after command_timeout resets the connection (a Redis that does
//   not answer one command in time is not answering the others either): it fails with
//   RedisErrc::timeout, the ones behind it with RedisErrc::connection_lost.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/redis_reply.hpp"
#include "cluster/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace rrtc::cluster {

struct RedisClientOptions {
  RedisUrl url;
  std::string name = "commands";  // in log lines: which connection ("commands", "bus")
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{10000};
  // PING while connected: measures the round trip and finds a dead connection within
  // ping_interval + command_timeout. 0 = never (the subscriber connection: RESP2 has no PING
  // reply that hiredis 0.14 can tell from a message there).
  std::chrono::milliseconds ping_interval{1000};
};

struct RedisStats {
  std::uint64_t commands = 0;             // sent to Redis (PING and handshake included)
  std::uint64_t errors = 0;               // commands that failed, whatever the reason
  std::uint64_t unavailable = 0;          // ... refused at once because not connected
  std::uint64_t timeouts = 0;             // ... with no reply in time
  std::uint64_t server_errors = 0;        // ... answered with an error reply
  std::uint64_t connects = 0;             // connections that became ready
  std::uint64_t connect_failures = 0;     // attempts that did not (refused, timeout, AUTH)
  std::uint64_t disconnects = 0;          // ready connections lost
  std::uint64_t messages = 0;             // pub/sub messages received
  std::chrono::microseconds last_rtt{0};  // of the last PING; 0 before the first
  std::chrono::microseconds max_rtt{0};
};

class RedisClient {
 public:
  using ReplyHandler = std::function<void(RedisReply)>;
  // A message on a subscribed channel; both views die when the handler returns.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view message)>;
  // Called when the connection becomes ready (true) or a ready connection is lost (false).
  using StateHandler = std::function<void(bool ready)>;

  RedisClient(boost::asio::io_context& io, RedisClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects, and keeps reconnecting until stop(). stop() fails the commands in flight with
  // connection_lost (posted); start() may be called again later.
  void start();
  void stop();

  bool ready() const noexcept { return state_ == State::ready; }
  // Why the client is not ready (the last connection error); empty while ready.
  const std::string& last_error() const noexcept { return last_error_; }
  const RedisStats& stats() const noexcept { return stats_; }
  const RedisClientOptions& options() const noexcept { return options_; }
  // The wait before the next connection attempt (for tests and /healthz).
  std::chrono::milliseconds backoff() const noexcept { return backoff_; }

  // Sends one command (binary-safe arguments). Not on a subscribed connection.
  void command(std::vector<std::string> args, ReplyHandler handler);

  // Subscribes to `channel` now (when ready) and after every reconnection. The connection is a
  // subscriber from then on: command() refuses (unavailable) on it.
  void subscribe(std::string channel, MessageHandler handler);

  void on_state(StateHandler handler) { state_handler_ = std::move(handler); }

 private:
  enum class State : std::uint8_t { stopped, connecting, handshake, ready, backoff };
  struct Pending {
    ReplyHandler handler;
    std::chrono::steady_clock::time_point sent;
    std::chrono::steady_clock::time_point deadline;
    bool internal = false;  // handshake / PING: not counted as a user command failure
  };

  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);
  static void on_message(redisAsyncContext* context, void* reply, void* privdata);

  void connect_now();
  void handshake();
  void become_ready();
  void connection_failed(std::string why);
  void close_context(const std::string& why, Pending* timed_out);
  void schedule_reconnect();
  bool send(std::vector<std::string> args, ReplyHandler handler, bool internal);
  void complete(Pending& pending, const redisReply* reply, const redisAsyncContext& context);
  void fail_later(ReplyHandler handler, RedisErrc error, std::string message);
  void arm_timeout();
  void arm_ping();
  void send_subscribe(const std::string& channel);
  void set_state(State state);

  boost::asio::io_context& io_;
  RedisClientOptions options_;
  State state_ = State::stopped;
  redisAsyncContext* context_ = nullptr;
  std::deque<Pending*> in_flight_;  // replies come in order (RESP2)
  std::map<std::string, MessageHandler, std::less<>> channels_;
  StateHandler state_handler_;
  std::chrono::milliseconds backoff_;
  std::string last_error_ = "not started";
  RedisStats stats_;
  bool ping_in_flight_ = false;
  boost::asio::steady_timer connect_timer_;  // connect deadline, then the backoff wait
  boost::asio::steady_timer timeout_timer_;  // the oldest command's deadline
  boost::asio::steady_timer ping_timer_;
  // Timer handlers and posted failures hold a weak_ptr to this: set while the client lives.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rrtc::cluster
