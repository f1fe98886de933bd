#pragma once
// Webhooks (docs/webhooks.md): the Hub's RoomEventSink. Each event gets an id and one JSON body,
// shared by every configured URL's WebhookClient (its own queue, order, retries, connection).
// Counts outcomes for /metrics and logs failures at most once per URL per minute.
//
// Threading: signaling thread only. on_event() does no I/O and never waits: it formats the
// body, queues it and returns, so a slow or dead receiver cannot delay a join.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signaling/log_limit.hpp"
#include "signaling/room_events.hpp"
#include "signaling/server_options.hpp"
#include "signaling/webhook_client.hpp"

namespace rrtc::signaling {

class WebhookDispatcher : public std::enable_shared_from_this<WebhookDispatcher> {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::invalid_argument for a URL parse_webhook_url() refuses (the configuration
  // checks them first) and std::system_error when an https:// URL needs a TLS context that
  // cannot be made.
  WebhookDispatcher(boost::asio::io_context& ioc, const ServerOptions& options);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // The Hub's sink.
  void on_event(const RoomEvent& event);

  // Shutdown: events keep going out (those of the sessions being closed included) until every
  // queue is empty or `grace` has passed; then what is left is dropped (dropped_shutdown) and
  // the connections closed, so the io_context runs out of work.
  void stop(Clock::duration grace);

  // Outcomes summed over the URLs, and the events queued now.
  WebhookCounters counters() const;
  std::size_t queue_depth() const;
  // The rrtc_webhook_* series (docs/metrics.md).
  std::string metrics_text() const;

 private:
  void attempt_failed(const std::string& url, const std::string& why, bool dropped);
  void client_idle();
  void arm_grace();
  void abandon_all();

  std::optional<boost::asio::ssl::context> tls_;  // made when an https:// URL is configured
  std::vector<std::shared_ptr<WebhookClient>> clients_;
  // Display names from participant_joined, for the participant's later events.
  std::map<std::pair<std::string, std::string>, std::string> names_;
  LogLimit log_limit_{std::chrono::minutes(1)};
  boost::asio::steady_timer grace_timer_;
  std::optional<Clock::time_point> stop_deadline_;
  std::uint64_t grace_generation_ = 0;    // bumped when the grace timer is re-armed or cancelled
  std::uint64_t dropped_after_stop_ = 0;  // events after the grace ended: never queued
  bool abandoned_ = false;
};

}  // namespace rrtc::signaling
