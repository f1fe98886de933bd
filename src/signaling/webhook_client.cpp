#include "signaling/webhook_client.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace rrtc::signaling {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {
// A receiver's answer is read only for its status; a larger body fails the attempt.
constexpr std::uint64_t kResponseBodyLimit = 64 * 1024;
}  // namespace

WebhookClient::WebhookClient(net::io_context& ioc, net::ssl::context* tls, Settings settings,
                             Observer observer)
    : ioc_(ioc),
      tls_(tls),
      settings_(std::move(settings)),
      observer_(std::move(observer)),
      queue_(settings_.policy),
      resolver_(ioc),
      retry_timer_(ioc),
      attempt_timer_(ioc),
      random_(std::random_device{}()) {}

void WebhookClient::push(std::string id, std::shared_ptr<const std::string> body) {
  if (abandoned_) return;
  queue_.push(std::move(id), std::move(body), Clock::now());
  if (waiting_) {
    // The head may have changed (a full queue dropped it): let the timer's handler look again.
    retry_timer_.cancel();
    return;
  }
  // Posted, so the Hub's emit returns before any socket work starts.
  if (!attempting_) net::post(ioc_, [self = shared_from_this()] { self->pump(); });
}

void WebhookClient::abandon() {
  if (abandoned_) return;
  abandoned_ = true;
  ++generation_;
  observer_ = {};
  queue_.drop_all();
  attempting_ = false;
  resolver_.cancel();
  retry_timer_.cancel();
  attempt_timer_.cancel();
  close_connection();
}

void WebhookClient::pump() {
  if (abandoned_ || attempting_ || waiting_) return;
  auto next = queue_.next(Clock::now());
  switch (next.kind) {
    case WebhookQueue::Next::Kind::idle:
      if (observer_.idle) observer_.idle();
      return;
    case WebhookQueue::Next::Kind::busy:
      return;
    case WebhookQueue::Next::Kind::wait:
      waiting_ = true;
      retry_timer_.expires_at(next.wake);
      retry_timer_.async_wait([self = shared_from_this()](const error_code&) {
        self->waiting_ = false;
        self->pump();
      });
      return;
    case WebhookQueue::Next::Kind::send:
      start_attempt(*next.entry);
      return;
  }
}

void WebhookClient::start_attempt(const WebhookEntry& entry) {
  attempting_ = true;
  timed_out_ = false;
  seq_ = entry.seq;
  const auto generation = ++generation_;
  queue_.attempt_started(entry.seq, Clock::now());

  request_ = Request(http::verb::post, settings_.url.target, 11);
  request_.set(http::field::host, settings_.url.host_header());
  request_.set(http::field::user_agent, settings_.user_agent);
  request_.set(http::field::content_type, "application/json");
  request_.set("X-Rrtc-Event-Id", entry.id);
  request_.set("X-Rrtc-Signature", webhook_signature(settings_.secret, *entry.body));
  request_.keep_alive(true);
  request_.body() = *entry.body;
  request_.prepare_payload();

  // One deadline for the whole attempt: it cancels whatever step is pending.
  attempt_timer_.expires_after(settings_.timeout);
  attempt_timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    if (ec || self->stale(generation) || !self->attempting_) return;
    self->timed_out_ = true;
    self->resolver_.cancel();
    self->close_connection();
  });

  reused_ = connected_;
  if (connected_) {
    write_request();
  } else {
    connect();
  }
}

void WebhookClient::connect() {
  const auto generation = generation_;
  resolver_.async_resolve(settings_.url.host, std::to_string(settings_.url.port),
                          [self = shared_from_this(), generation](
                              const error_code& ec, const net::ip::tcp::resolver::results_type& r) {
                            if (self->stale(generation)) return;
                            self->on_resolved(ec, r);
                          });
}

void WebhookClient::on_resolved(const error_code& ec,
                                const net::ip::tcp::resolver::results_type& results) {
  if (ec || timed_out_) return fail(ec, "resolve", false);
  const auto generation = generation_;
  // A fresh stream per connection: the previous one has no operation pending any more.
  tls_stream_.reset();
  plain_.reset();
  if (settings_.url.tls) {
    tls_stream_.emplace(ioc_, *tls_);
  } else {
    plain_.emplace(ioc_);
  }
  auto done = [self = shared_from_this(), generation](const error_code& e, const auto&) {
    if (self->stale(generation)) return;
    self->on_connected(e);
  };
  with_stream([&](auto& stream) { beast::get_lowest_layer(stream).async_connect(results, done); });
}

void WebhookClient::on_connected(const error_code& ec) {
  if (ec || timed_out_) return fail(ec, "connect", false);
  if (!tls_stream_) {
    connected_ = true;
    return write_request();
  }
  // SNI, and the certificate must name the host (RFC 6125), checked against the system CAs.
  const std::string& host = settings_.url.host;
  if (SSL_set_tlsext_host_name(tls_stream_->native_handle(), host.c_str()) != 1) {
    return fail(error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()),
                "TLS SNI", false);
  }
  tls_stream_->set_verify_callback(net::ssl::host_name_verification(host));
  const auto generation = generation_;
  tls_stream_->async_handshake(net::ssl::stream_base::client,
                               [self = shared_from_this(), generation](const error_code& e) {
                                 if (self->stale(generation)) return;
                                 if (e || self->timed_out_)
                                   return self->fail(e, "TLS handshake", false);
                                 self->connected_ = true;
                                 self->write_request();
                               });
}

void WebhookClient::write_request() {
  const auto generation = generation_;
  with_stream([&](auto& stream) {
    http::async_write(stream, request_,
                      [self = shared_from_this(), generation](const error_code& ec, std::size_t) {
                        if (self->stale(generation)) return;
                        self->on_written(ec);
                      });
  });
}

void WebhookClient::on_written(const error_code& ec) {
  if (ec || timed_out_) return fail(ec, "write", true);
  const auto generation = generation_;
  parser_.emplace();
  parser_->body_limit(kResponseBodyLimit);
  with_stream([&](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     [self = shared_from_this(), generation](const error_code& e, std::size_t) {
                       if (self->stale(generation)) return;
                       self->on_read(e);
                     });
  });
}

void WebhookClient::on_read(const error_code& ec) {
  if (ec || timed_out_) return fail(ec, "read", !parser_->got_some());
  const auto& response = parser_->get();
  const unsigned status = response.result_int();
  if (!response.keep_alive()) close_connection();
  if (status >= 200 && status < 300) return finish(true, {});
  close_connection();
  finish(false, fmt::format("HTTP {} {}", status, std::string_view(response.reason())));
}

void WebhookClient::fail(const error_code& ec, const char* step, bool before_response) {
  close_connection();
  // A kept-alive connection the receiver closed while idle fails on first use: that is no
  // failure of the receiver, so the request goes again at once on a new connection (once).
  if (reused_ && before_response && !timed_out_) {
    reused_ = false;
    return connect();
  }
  if (timed_out_) {
    return finish(
        false,
        fmt::format("no answer within {} s ({})",
                    std::chrono::duration_cast<std::chrono::seconds>(settings_.timeout).count(),
                    step));
  }
  finish(false, fmt::format("{} failed: {}", step, ec.message()));
}

void WebhookClient::finish(bool delivered, std::string why) {
  attempting_ = false;
  attempt_timer_.cancel();
  buffer_.clear();
  if (delivered) {
    queue_.attempt_delivered(seq_);
  } else {
    const auto expired = queue_.counters().dropped_expired;
    queue_.attempt_failed(seq_, Clock::now(), jitter());
    const bool dropped = queue_.counters().dropped_expired > expired;
    if (observer_.attempt_failed) observer_.attempt_failed(why, dropped);
  }
  pump();
}

void WebhookClient::close_connection() {
  connected_ = false;
  error_code ignored;
  if (plain_) {
    plain_->socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    plain_->close();
  }
  if (tls_stream_) beast::get_lowest_layer(*tls_stream_).close();
}

}  // namespace rrtc::signaling
