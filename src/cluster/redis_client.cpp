#include "cluster/redis_client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>

#include "cluster/asio_adapter.hpp"
#include "log/log.hpp"

namespace rrtc::cluster {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

spdlog::logger& logger() {
  static spdlog::logger& l = log::get("cluster");
  return l;
}

RedisValue copy_value(const redisReply& r) {
  RedisValue v;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::integer;
      v.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      v.type = r.type == REDIS_REPLY_STRING ? RedisValue::Type::string : RedisValue::Type::status;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::array;
      v.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) v.elements.push_back(copy_value(*r.element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

std::string context_error(const redisAsyncContext& context, std::string_view otherwise) {
  if (context.err != 0 && context.errstr != nullptr && context.errstr[0] != '\0') {
    return context.errstr;
  }
  // hiredis 0.14 leaves a failed connect's reason in the inner context only.
  if (context.c.err != 0 && context.c.errstr[0] != '\0') return context.c.errstr;
  return std::string(otherwise);
}

}  // namespace

RedisClient::RedisClient(asio::io_context& io, RedisClientOptions options)
    : io_(io),
      options_(std::move(options)),
      backoff_(options_.backoff_initial),
      connect_timer_(io),
      timeout_timer_(io),
      ping_timer_(io) {}

RedisClient::~RedisClient() {
  alive_.reset();
  // Nobody is called from here on: the pending handlers go without a word.
  for (Pending* p : in_flight_) p->handler = nullptr;
  in_flight_.clear();
  if (context_ != nullptr) {
    redisAsyncContext* context = std::exchange(context_, nullptr);
    context->data = nullptr;
    redisAsyncFree(context);  // runs on_reply(nullptr) for each pending command: frees them
  }
}

void RedisClient::start() {
  if (state_ != State::stopped) return;
  backoff_ = options_.backoff_initial;
  connect_now();
}

void RedisClient::stop() {
  if (state_ == State::stopped) return;
  close_context("client stopped", nullptr);
  connect_timer_.cancel();
  last_error_ = "stopped";
  set_state(State::stopped);  // last: the state handler may destroy the client
}

void RedisClient::set_state(State state) {
  const bool was_ready = state_ == State::ready;
  state_ = state;
  if (was_ready != (state == State::ready) && state_handler_) {
    // Last thing the caller does: the handler may destroy the client.
    state_handler_(state == State::ready);
  }
}

void RedisClient::connect_now() {
  redisAsyncContext* context =
      redisAsyncConnect(options_.url.host.c_str(), static_cast<int>(options_.url.port));
  if (context == nullptr) {
    connection_failed("cannot allocate a hiredis context");
    return;
  }
  if (context->err != 0) {
    std::string why = context_error(*context, "connect failed");
    redisAsyncFree(context);
    connection_failed(std::move(why));
    return;
  }
  if (!attach_asio(*context, io_)) {
    redisAsyncFree(context);
    connection_failed("cannot register the socket with the event loop");
    return;
  }
  context->data = this;
  context_ = context;
  state_ = State::connecting;
  redisAsyncSetDisconnectCallback(context, &RedisClient::on_disconnect);
  redisAsyncSetConnectCallback(context, &RedisClient::on_connect);  // arms the first write
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](auto ec) {
    if (ec || alive.expired()) return;
    if (state_ == State::connecting || state_ == State::handshake) {
      ++stats_.timeouts;
      close_context("connect timed out", nullptr);
      connection_failed("no connection within " + std::to_string(options_.connect_timeout.count()) +
                        " ms");
    }
  });
}

void RedisClient::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context when this returns.
    const_cast<redisAsyncContext*>(context)->data = nullptr;
    self->context_ = nullptr;
    self->connection_failed(context_error(*context, "connect failed"));
    return;
  }
  redisEnableKeepAlive(const_cast<redisContext*>(&context->c));
  self->handshake();
}

void RedisClient::handshake() {
  state_ = State::handshake;
  // AUTH and SELECT when the URL asks for them, then PING: a Redis still loading its data set
  // answers PING with -LOADING, so ready means ready to serve.
  std::vector<std::vector<std::string>> steps;
  const RedisUrl& url = options_.url;
  if (!url.password.empty()) {
    steps.push_back(url.username.empty()
                        ? std::vector<std::string>{"AUTH", url.password}
                        : std::vector<std::string>{"AUTH", url.username, url.password});
  }
  if (url.db != 0) steps.push_back({"SELECT", std::to_string(url.db)});
  steps.push_back({"PING"});
  const std::size_t count = steps.size();
  auto remaining = std::make_shared<std::size_t>(count);
  for (auto& step : steps) {
    const std::string what = step.front();
    send(
        std::move(step),
        [this, remaining, what](RedisReply reply) {
          if (state_ != State::handshake) return;
          if (!reply.ok()) {
            close_context(what + " failed", nullptr);
            connection_failed(what + ": " + reply.message);
            return;
          }
          if (--*remaining == 0) become_ready();
        },
        true);
  }
}

void RedisClient::become_ready() {
  connect_timer_.cancel();
  ++stats_.connects;
  backoff_ = options_.backoff_initial;
  last_error_.clear();
  logger().info("redis {}: connected to {}", options_.name, redis_endpoint(options_.url));
  for (const auto& [channel, handler] : channels_) send_subscribe(channel);
  arm_ping();
  set_state(State::ready);
}

void RedisClient::connection_failed(std::string why) {
  if (state_ == State::stopped) return;
  if (state_ != State::ready) ++stats_.connect_failures;
  last_error_ = redis_endpoint(options_.url) + ": " + why;
  logger().warn("redis {}: {}; retrying in {} ms", options_.name, last_error_, backoff_.count());
  schedule_reconnect();
}

void RedisClient::schedule_reconnect() {
  connect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  connect_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](auto ec) {
    if (ec || alive.expired() || state_ != State::backoff) return;
    connect_now();
  });
  set_state(State::backoff);  // last: the state handler may destroy the client
}

void RedisClient::on_disconnect(const redisAsyncContext* context, int /*status*/) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr) return;
  const_cast<redisAsyncContext*>(context)->data = nullptr;
  self->context_ = nullptr;
  self->ping_timer_.cancel();
  self->ping_in_flight_ = false;
  if (self->state_ == State::ready) ++self->stats_.disconnects;
  self->last_error_ =
      redis_endpoint(self->options_.url) + ": " + context_error(*context, "connection closed");
  logger().warn("redis {}: connection lost ({}); reconnecting in {} ms", self->options_.name,
                self->last_error_, self->backoff_.count());
  self->schedule_reconnect();
}

// Detaches from the context and frees it; every command in flight fails (posted): `timed_out`
// with RedisErrc::timeout, the others with connection_lost.
void RedisClient::close_context(const std::string& why, Pending* timed_out) {
  ping_timer_.cancel();
  timeout_timer_.cancel();
  ping_in_flight_ = false;
  for (Pending* p : in_flight_) {
    if (!p->handler) continue;
    const bool timeout = p == timed_out;
    if (!p->internal) {
      ++stats_.errors;
      if (timeout) ++stats_.timeouts;
    }
    fail_later(std::move(p->handler), timeout ? RedisErrc::timeout : RedisErrc::connection_lost,
               why);
    p->handler = nullptr;
  }
  in_flight_.clear();
  if (context_ != nullptr) {
    if (state_ == State::ready) ++stats_.disconnects;
    redisAsyncContext* context = std::exchange(context_, nullptr);
    context->data = nullptr;
    redisAsyncFree(context);  // deferred by hiredis when called from one of its callbacks
  }
}

void RedisClient::fail_later(ReplyHandler handler, RedisErrc error, std::string message) {
  if (!handler) return;
  asio::post(io_, [alive = std::weak_ptr<bool>(alive_), handler = std::move(handler), error,
                   message = std::move(message)]() mutable {
    if (alive.expired()) return;
    RedisReply reply;
    reply.error = error;
    reply.message = std::move(message);
    handler(std::move(reply));
  });
}

void RedisClient::command(std::vector<std::string> args, ReplyHandler handler) {
  if (state_ != State::ready || !channels_.empty()) {
    ++stats_.errors;
    ++stats_.unavailable;
    fail_later(std::move(handler), RedisErrc::unavailable,
               channels_.empty() ? "redis unavailable: " + last_error_
                                 : "redis: commands on a subscriber connection");
    return;
  }
  send(std::move(args), std::move(handler), false);
}

bool RedisClient::send(std::vector<std::string> args, ReplyHandler handler, bool internal) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  const auto now = Clock::now();
  auto pending = std::make_unique<Pending>(
      Pending{std::move(handler), now, now + options_.command_timeout, internal});
  if (context_ == nullptr || redisAsyncCommandArgv(context_, &RedisClient::on_reply, pending.get(),
                                                   static_cast<int>(argv.size()), argv.data(),
                                                   lengths.data()) != REDIS_OK) {
    if (!internal) {
      ++stats_.errors;
      ++stats_.unavailable;
    }
    fail_later(std::move(pending->handler), RedisErrc::unavailable,
               "redis unavailable: the connection is closing");
    return false;
  }
  ++stats_.commands;
  in_flight_.push_back(pending.release());  // freed by on_reply, which hiredis always calls
  if (in_flight_.size() == 1) arm_timeout();
  return true;
}

void RedisClient::on_reply(redisAsyncContext* context, void* reply, void* privdata) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr || !pending->handler) return;  // detached: already failed or dropped
  self->complete(*pending, static_cast<const redisReply*>(reply), *context);
}

void RedisClient::complete(Pending& pending, const redisReply* reply,
                           const redisAsyncContext& context) {
  if (!in_flight_.empty() && in_flight_.front() == &pending) {
    in_flight_.pop_front();
  } else {
    std::erase(in_flight_, &pending);
  }
  RedisReply out;
  if (reply == nullptr) {
    out.error = RedisErrc::connection_lost;
    out.message = "redis: " + context_error(context, "connection closed") + " before the reply";
  } else if (reply->type == REDIS_REPLY_ERROR) {
    out.error = RedisErrc::server;
    out.message.assign(reply->str, reply->len);
    if (!pending.internal) ++stats_.server_errors;
  } else {
    out.value = copy_value(*reply);
  }
  if (!out.ok() && !pending.internal) ++stats_.errors;
  if (!in_flight_.empty()) {
    arm_timeout();
  } else {
    timeout_timer_.cancel();
  }
  ReplyHandler handler = std::move(pending.handler);
  handler(std::move(out));  // last: the handler may destroy the client
}

void RedisClient::arm_timeout() {
  if (in_flight_.empty()) return;
  timeout_timer_.expires_at(in_flight_.front()->deadline);
  timeout_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](auto ec) {
    if (ec || alive.expired() || in_flight_.empty()) return;
    Pending* oldest = in_flight_.front();
    if (Clock::now() < oldest->deadline) {
      arm_timeout();
      return;
    }
    const std::string why =
        "redis: no reply within " + std::to_string(options_.command_timeout.count()) + " ms";
    logger().warn("redis {}: {}; resetting the connection", options_.name, why);
    if (oldest->internal) ++stats_.timeouts;
    close_context(why, oldest);
    connection_failed(why);
  });
}

void RedisClient::arm_ping() {
  if (options_.ping_interval.count() == 0 || !channels_.empty()) return;
  ping_timer_.expires_after(options_.ping_interval);
  ping_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](auto ec) {
    if (ec || alive.expired() || state_ != State::ready) return;
    if (!ping_in_flight_) {
      ping_in_flight_ = true;
      const auto sent = Clock::now();
      send(
          {"PING"},
          [this, sent](RedisReply reply) {
            ping_in_flight_ = false;
            if (!reply.ok()) return;
            const auto rtt =
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent);
            stats_.last_rtt = rtt;
            stats_.max_rtt = std::max(stats_.max_rtt, rtt);
          },
          true);
    }
    arm_ping();
  });
}

void RedisClient::subscribe(std::string channel, MessageHandler handler) {
  auto [it, inserted] = channels_.insert_or_assign(std::move(channel), std::move(handler));
  ping_timer_.cancel();  // a subscriber connection does not PING (see the options)
  if (state_ == State::ready && inserted) send_subscribe(it->first);
}

void RedisClient::send_subscribe(const std::string& channel) {
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  const std::size_t lengths[] = {9, channel.size()};
  if (context_ != nullptr && redisAsyncCommandArgv(context_, &RedisClient::on_message, nullptr, 2,
                                                   argv, lengths) == REDIS_OK) {
    ++stats_.commands;
  }
}

void RedisClient::on_message(redisAsyncContext* context, void* reply_ptr, void* /*privdata*/) {
  auto* self = static_cast<RedisClient*>(context->data);
  const auto* reply = static_cast<const redisReply*>(reply_ptr);
  if (self == nullptr || reply == nullptr || reply->type != REDIS_REPLY_ARRAY ||
      reply->elements != 3 || reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_STRING) {
    return;
  }
  const std::string_view kind(reply->element[0]->str, reply->element[0]->len);
  if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;  // subscribe ack
  const std::string_view channel(reply->element[1]->str, reply->element[1]->len);
  auto it = self->channels_.find(channel);
  if (it == self->channels_.end()) return;
  ++self->stats_.messages;
  MessageHandler& handler = it->second;
  handler(channel, std::string_view(reply->element[2]->str, reply->element[2]->len));
}

}  // namespace rrtc::cluster
