#include "signaling/webhook_dispatcher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "log/log.hpp"
#include "signaling/webhook_event.hpp"

namespace rrtc::signaling {
namespace {

spdlog::logger& logger() {
  static spdlog::logger& log = rrtc::log::get("signaling");
  return log;
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(boost::asio::io_context& ioc, const ServerOptions& options)
    : grace_timer_(ioc) {
  WebhookPolicy policy;
  policy.capacity = options.webhook_queue_size;
  policy.retry_for = options.webhook_retry_for;
  for (const auto& text : options.webhook_urls) {
    auto url = parse_webhook_url(text);
    if (!url) throw std::invalid_argument("webhook URL not usable: " + text);
    if (url->tls && !tls_) {
      // Receivers are checked against the system's CA store (SSL_CERT_FILE / SSL_CERT_DIR
      // override it, as for any OpenSSL client), with their host name.
      tls_.emplace(boost::asio::ssl::context::tls_client);
      tls_->set_default_verify_paths();
      tls_->set_verify_mode(boost::asio::ssl::verify_peer);
    }
    WebhookClient::Settings settings;
    settings.url_text = text;
    settings.url = *url;
    settings.policy = policy;
    settings.timeout = options.webhook_timeout;
    settings.secret = options.api_secret;
    settings.user_agent = "rrtc/" + options.version;
    WebhookClient::Observer observer;
    // The clients never outlive this object's use of them: the destructor abandons them,
    // which clears these callbacks.
    observer.attempt_failed = [this, text](const std::string& why, bool dropped) {
      attempt_failed(text, why, dropped);
    };
    observer.idle = [this] { client_idle(); };
    clients_.push_back(std::make_shared<WebhookClient>(ioc, tls_ ? &*tls_ : nullptr,
                                                       std::move(settings), std::move(observer)));
  }
}

WebhookDispatcher::~WebhookDispatcher() {
  for (auto& client : clients_) client->abandon();
}

void WebhookDispatcher::on_event(const RoomEvent& event) {
  if (abandoned_ || (stop_deadline_ && Clock::now() >= *stop_deadline_)) {
    ++dropped_after_stop_;
    return;
  }
  const auto key = std::make_pair(event.room, event.participant);
  std::string name;
  if (event.kind == RoomEventKind::participant_joined) {
    name = event.name;
    if (!name.empty()) names_[key] = name;
  } else if (!event.participant.empty()) {
    auto it = names_.find(key);
    if (it != names_.end()) {
      name = it->second;
      if (event.kind == RoomEventKind::participant_left) names_.erase(it);
    }
  }
  std::string id = webhook_event_id();
  auto body = std::make_shared<const std::string>(webhook_body(event, id, name));
  for (auto& client : clients_) client->push(id, body);
  if (stop_deadline_) arm_grace();
}

void WebhookDispatcher::stop(Clock::duration grace) {
  if (stop_deadline_) return;
  stop_deadline_ = Clock::now() + grace;
  if (std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->idle(); })) {
    return;  // nothing to flush; events of the sessions still closing arm the timer
  }
  arm_grace();
}

void WebhookDispatcher::arm_grace() {
  const auto generation = ++grace_generation_;
  grace_timer_.expires_at(*stop_deadline_);
  grace_timer_.async_wait(
      [self = shared_from_this(), generation](const boost::system::error_code& ec) {
        if (ec || generation != self->grace_generation_) return;
        std::size_t left = self->queue_depth();
        if (left > 0) {
          logger().warn("webhooks: {} event(s) not delivered before shutdown; dropped", left);
        }
        self->abandon_all();
      });
}

void WebhookDispatcher::client_idle() {
  if (!stop_deadline_ || abandoned_) return;
  if (std::all_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->idle(); })) {
    ++grace_generation_;
    grace_timer_.cancel();  // all flushed: let the io_context run out of work
  }
}

void WebhookDispatcher::abandon_all() {
  abandoned_ = true;
  for (auto& client : clients_) client->abandon();
}

void WebhookDispatcher::attempt_failed(const std::string& url, const std::string& why,
                                       bool dropped) {
  std::uint64_t suppressed = 0;
  if (!log_limit_.allow(url, LogLimit::Clock::now(), suppressed)) return;
  const char* outcome = dropped ? "event dropped, retried for webhook_retry_seconds" : "will retry";
  if (suppressed > 0) {
    logger().warn("webhook {}: {}; {} ({} more failed attempts not logged)", url, why, outcome,
                  suppressed);
  } else {
    logger().warn("webhook {}: {}; {}", url, why, outcome);
  }
}

WebhookCounters WebhookDispatcher::counters() const {
  WebhookCounters sum;
  sum.dropped_shutdown = dropped_after_stop_;
  for (const auto& client : clients_) {
    const auto& c = client->queue().counters();
    sum.delivered += c.delivered;
    sum.dropped_expired += c.dropped_expired;
    sum.dropped_queue_full += c.dropped_queue_full;
    sum.dropped_shutdown += c.dropped_shutdown;
    sum.attempts_failed += c.attempts_failed;
  }
  return sum;
}

std::size_t WebhookDispatcher::queue_depth() const {
  std::size_t depth = 0;
  for (const auto& client : clients_) depth += client->queue().depth();
  return depth;
}

std::string WebhookDispatcher::metrics_text() const {
  const auto c = counters();
  return fmt::format(
      "# HELP rrtc_webhook_events_total Webhook deliveries by outcome, summed over the URLs "
      "(one per event and URL).\n"
      "# TYPE rrtc_webhook_events_total counter\n"
      "rrtc_webhook_events_total{{result=\"delivered\"}} {}\n"
      "rrtc_webhook_events_total{{result=\"dropped_expired\"}} {}\n"
      "rrtc_webhook_events_total{{result=\"dropped_queue_full\"}} {}\n"
      "rrtc_webhook_events_total{{result=\"dropped_shutdown\"}} {}\n"
      "# HELP rrtc_webhook_attempts_failed_total Webhook requests that got no 2xx answer "
      "(HTTP error, connect or TLS failure, timeout).\n"
      "# TYPE rrtc_webhook_attempts_failed_total counter\n"
      "rrtc_webhook_attempts_failed_total {}\n"
      "# HELP rrtc_webhook_queue_depth Webhook events queued (all URLs), in flight included.\n"
      "# TYPE rrtc_webhook_queue_depth gauge\n"
      "rrtc_webhook_queue_depth {}\n",
      c.delivered, c.dropped_expired, c.dropped_queue_full, c.dropped_shutdown, c.attempts_failed,
      queue_depth());
}

}  // namespace rrtc::signaling
