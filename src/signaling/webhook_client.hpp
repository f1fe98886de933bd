#pragma once
// One webhook URL's HTTP/1.1 client (docs/webhooks.md): a WebhookQueue for the policy, one
// keep-alive connection (plain TCP, or TLS verified against the system's CA store), one POST in
// flight, retries on a timer. Every step is asynchronous on the signaling io_context and each
// attempt (resolve, connect, TLS handshake, write, read) is bounded by `timeout` as a whole, so
// nothing here can hold up the Hub.
//
// Threading: constructed and used on the signaling thread only. Its handlers keep it alive
// (shared_from_this); abandon() makes them return without calling the observer.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "signaling/webhook_event.hpp"
#include "signaling/webhook_queue.hpp"

namespace rrtc::signaling {

class WebhookClient : public std::enable_shared_from_this<WebhookClient> {
 public:
  using Clock = std::chrono::steady_clock;

  struct Settings {
    std::string url_text;  // as configured, for logs
    WebhookUrl url;
    WebhookPolicy policy;
    Clock::duration timeout = std::chrono::seconds(5);  // one whole attempt
    std::string secret;                                 // signs every body
    std::string user_agent;
  };
  // Called on the signaling thread, never from inside push() or abandon().
  struct Observer {
    // `dropped`: that was the event's last attempt (retry_for has passed).
    std::function<void(const std::string& why, bool dropped)> attempt_failed;
    std::function<void()> idle;  // nothing queued and nothing in flight any more
  };

  // `tls` (the shared client context) is required for an https:// URL and must outlive this.
  WebhookClient(boost::asio::io_context& ioc, boost::asio::ssl::context* tls, Settings settings,
                Observer observer);

  // Queues an event; sends it at once when nothing is in flight or waiting for a retry.
  void push(std::string id, std::shared_ptr<const std::string> body);
  // Drops everything queued (counted as dropped_shutdown), cuts the attempt in flight, cancels
  // the retry timer and closes the connection. The observer is not called again.
  void abandon();

  bool idle() const { return queue_.depth() == 0 && !attempting_; }
  const WebhookQueue& queue() const { return queue_; }
  const std::string& url_text() const { return settings_.url_text; }

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Parser = boost::beast::http::response_parser<boost::beast::http::string_body>;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  void pump();
  void start_attempt(const WebhookEntry& entry);
  void connect();
  void on_resolved(const boost::system::error_code& ec,
                   const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connected(const boost::system::error_code& ec);
  void write_request();
  void on_written(const boost::system::error_code& ec);
  void on_read(const boost::system::error_code& ec);
  void fail(const boost::system::error_code& ec, const char* step, bool before_response);
  void finish(bool delivered, std::string why);
  void close_connection();
  bool stale(std::uint64_t generation) const { return generation != generation_ || abandoned_; }
  double jitter() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

  // Runs `f` on whichever stream is open (plain or TLS).
  template <class F>
  void with_stream(F&& f) {
    if (tls_stream_) {
      f(*tls_stream_);
    } else {
      f(*plain_);
    }
  }

  boost::asio::io_context& ioc_;
  boost::asio::ssl::context* tls_;
  Settings settings_;
  Observer observer_;
  WebhookQueue queue_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer attempt_timer_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  Request request_;
  std::minstd_rand random_;

  std::uint64_t generation_ = 0;  // bumped per attempt and by abandon(): older handlers return
  std::uint64_t seq_ = 0;         // the queue entry being sent
  bool attempting_ = false;
  bool connected_ = false;  // a connection is open and may carry the next request
  bool reused_ = false;     // this attempt runs on a connection an earlier one opened
  bool timed_out_ = false;
  bool waiting_ = false;  // retry_timer_ is armed
  bool abandoned_ = false;
};

}  // namespace rrtc::signaling
