#include "signaling/websocket_session.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "log/log.hpp"

namespace rrtc::signaling {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

spdlog::logger& logger() {
  static spdlog::logger& l = rrtc::log::get("signaling");
  return l;
}

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(5);
// After close() the peer has this long to answer the close frame before the socket is cut.
constexpr auto kCloseGrace = std::chrono::seconds(2);

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, std::shared_ptr<Hub> hub,
                                   ConnectionSlot slot)
    : ws_(std::move(stream)),
      hub_(std::move(hub)),
      slot_(std::move(slot)),
      id_(hub_->next_id()),
      bucket_(static_cast<double>(hub_->options().max_messages_per_second),
              2.0 * static_cast<double>(hub_->options().max_messages_per_second),
              TokenBucket::Clock::now()),
      errors_(hub_->options().max_protocol_errors, hub_->options().protocol_error_window),
      join_timer_(ws_.get_executor()),
      message_timer_(ws_.get_executor()),
      close_timer_(ws_.get_executor()),
      ping_timer_(ws_.get_executor()) {}

WebSocketSession::~WebSocketSession() { hub_->untrack(id_); }

void WebSocketSession::run(beast::http::request<beast::http::string_body> request) {
  hub_->track(id_, weak_from_this());
  beast::get_lowest_layer(ws_).expires_never();
  // The handshake timeout also bounds the closing handshake; keep-alive is our own ping timer.
  websocket::stream_base::timeout timeouts{kHandshakeTimeout, websocket::stream_base::none(),
                                           false};
  ws_.set_option(timeouts);
  // Size is enforced per message in on_read (so the client gets `error` 413 before the close);
  // Beast's own limit would fail the stream without letting us answer.
  ws_.read_message_max(0);
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "rrtc"); }));
  ws_.control_callback([this](websocket::frame_type kind, std::string_view) {
    if (kind == websocket::frame_type::pong) {
      awaiting_pong_ = false;
      missed_pongs_ = 0;
    }
  });
  ws_.async_accept(request,
                   beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    logger().debug("websocket accept from {}: {}", address(), ec.message());
    return;
  }
  if (hub_->stopping()) {
    // Upgraded while the server began to stop: the client still learns why.
    queue_.push_back(std::make_shared<const std::string>(
        error_json(ErrorCode::internal, "server is shutting down")));
    hub_->metrics().error_sent(500);
    hub_->metrics().message_out("error", queue_.back()->size());
    close(websocket::close_code::going_away);
    return;
  }
  opened_ = true;
  hub_->session_opened(*this);
  join_timer_.expires_after(hub_->options().join_timeout);
  join_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_join_deadline, shared_from_this()));
  start_ping_timer();
  do_read();
}

void WebSocketSession::do_read() {
  if (close_code_ || finished_) return;
  std::size_t limit = hub_->options().max_message_bytes + 1;
  std::size_t room = limit > buffer_.size() ? limit - buffer_.size() : 1;
  ws_.async_read_some(buffer_, std::min(room, kReadChunk),
                      beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    if (ec == websocket::error::bad_frame_payload) {
      // Beast has failed the connection with 1007 (RFC 6455 section 8.1): count and log it.
      hub_->metrics().connection_closed("invalid_utf8");
      hub_->log_limited("closed_invalid_utf8", "closed session {} from {}: text frame not UTF-8",
                        id_, address());
    } else if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted) {
      logger().debug("websocket read from {}: {}", address(), ec.message());
    }
    return finish();
  }
  // Closing: what still arrives is not acted on (Beast's close reads until the close frame).
  if (close_code_ || finished_) return;
  awaiting_pong_ = false;  // any frame proves the peer is alive
  missed_pongs_ = 0;
  (void)bytes;
  if (!ws_.is_message_done() && !message_started_) {
    // The first part of a message: from now on it has message_timeout to be complete.
    message_started_ = true;
    message_timer_.expires_after(hub_->options().message_timeout);
    message_timer_.async_wait(
        beast::bind_front_handler(&WebSocketSession::on_message_deadline, shared_from_this()));
  }
  if (discarding_binary_ || ws_.got_binary()) {
    // Binary frames are not part of the protocol: drain the message, then answer once.
    discarding_binary_ = !ws_.is_message_done();
    buffer_.clear();
    if (!discarding_binary_) {
      message_done();
      hub_->metrics().message_in("invalid", 0);
      hub_->send_error(*this, ErrorCode::bad_request, "binary frames are not accepted");
    }
    return do_read();
  }
  if (buffer_.size() > hub_->options().max_message_bytes) {
    message_done();
    hub_->metrics().message_in("invalid", buffer_.size());
    buffer_.clear();
    return hub_->close_with_error(
        *this, ErrorCode::too_large,
        "message larger than " + std::to_string(hub_->options().max_message_bytes) + " bytes",
        "too_large", websocket::close_code::too_big);
  }
  if (ws_.is_message_done()) {
    message_done();
    deliver_message();
  }
  do_read();
}

void WebSocketSession::message_done() {
  if (!message_started_) return;
  message_started_ = false;
  message_timer_.cancel();
}

void WebSocketSession::on_message_deadline(beast::error_code ec) {
  // A cancelled wait may still complete without error if the timer had already expired: the
  // flag says whether a message is still being read.
  if (ec || finished_ || close_code_ || !message_started_ || !ws_.is_open()) return;
  hub_->close_with_error(*this, ErrorCode::request_timeout,
                         "message not completed within " +
                             std::to_string(hub_->options().message_timeout.count()) +
                             " s (message_timeout)",
                         "message_timeout");
}

void WebSocketSession::joined() { join_timer_.cancel(); }

void WebSocketSession::on_join_deadline(beast::error_code ec) {
  // !is_open(): Beast is already failing the connection (e.g. 1007 for bad UTF-8).
  if (ec || finished_ || close_code_ || membership || !ws_.is_open()) return;
  hub_->close_with_error(*this, ErrorCode::request_timeout,
                         "no successful join within " +
                             std::to_string(hub_->options().join_timeout.count()) +
                             " s (join_timeout)",
                         "join_timeout");
}

bool WebSocketSession::count_protocol_error(std::chrono::steady_clock::time_point now) {
  if (close_code_ || finished_) return false;
  return errors_.add(now);
}

void WebSocketSession::deliver_message() {
  std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  if (!bucket_.try_take(TokenBucket::Clock::now())) {
    hub_->metrics().message_in("invalid", text.size());
    if (!rate_limited_) {
      rate_limited_ = true;
      hub_->send_error(*this, ErrorCode::too_many_requests,
                       "too many messages: limit is " +
                           std::to_string(hub_->options().max_messages_per_second) + " per second");
    }
  } else {
    rate_limited_ = false;
    hub_->on_text(*this, text);
  }
  buffer_.clear();
}

void WebSocketSession::send(std::shared_ptr<const std::string> text) {
  if (finished_ || close_code_) return;
  if (queue_.size() >= hub_->options().send_queue_limit) {
    hub_->metrics().session_dropped("queue_overflow");
    return drop("send queue overflow");
  }
  queue_.push_back(std::move(text));
  if (!writing_) do_write();
}

void WebSocketSession::do_write() {
  if (queue_.empty()) {
    if (close_code_ && !close_started_) do_close();
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  if (ec) {
    queue_.clear();
    return finish();
  }
  (void)bytes;
  queue_.pop_front();
  do_write();
}

void WebSocketSession::close(websocket::close_code code) {
  if (close_code_ || finished_) return;
  close_code_ = code;
  join_timer_.cancel();
  message_timer_.cancel();
  // Bounds the flush of the queue and the close handshake, whatever the peer does.
  close_timer_.expires_after(kCloseGrace);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(
        boost::asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(self->ws_).close();
    self->finish();
  });
  if (!writing_) do_write();
}

void WebSocketSession::do_close() {
  close_started_ = true;
  ws_.async_close(*close_code_, [self = shared_from_this()](beast::error_code) {
    // Whether or not the peer answered, the connection is over.
    beast::get_lowest_layer(self->ws_).close();
    self->finish();
  });
}

void WebSocketSession::drop(std::string_view reason) {
  logger().info("dropping session {} from {}: {}", id_, address(), reason);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                 ignored);
  beast::get_lowest_layer(ws_).close();
  queue_.clear();
  // Finish on a fresh handler: drop() is called from inside Hub fan-out loops, which must not
  // see the room change under them.
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] { self->finish(); });
}

void WebSocketSession::start_ping_timer() {
  ping_timer_.expires_after(hub_->options().ping_interval);
  ping_timer_.async_wait(
      beast::bind_front_handler(&WebSocketSession::on_ping_timer, shared_from_this()));
}

void WebSocketSession::on_ping_timer(beast::error_code ec) {
  if (ec || finished_) return;
  if (awaiting_pong_ &&
      ++missed_pongs_ >= std::max<std::uint32_t>(1, hub_->options().max_missed_pongs)) {
    hub_->metrics().session_dropped("ping_timeout");
    return drop("no pong");
  }
  if (!ping_in_flight_ && !close_code_) {
    ping_in_flight_ = true;
    ws_.async_ping(
        {}, [self = shared_from_this()](beast::error_code) { self->ping_in_flight_ = false; });
  }
  awaiting_pong_ = true;
  start_ping_timer();
}

void WebSocketSession::finish() {
  if (finished_) return;
  finished_ = true;
  ping_timer_.cancel();
  join_timer_.cancel();
  message_timer_.cancel();
  close_timer_.cancel();
  if (opened_) hub_->session_closed(*this);
}

}  // namespace rrtc::signaling
