#include "signaling/http_session.hpp"

#include <algorithm>
#include <boost/beast/websocket.hpp>

#include "log/log.hpp"
#include "signaling/admin_api.hpp"
#include "signaling/admin_route.hpp"
#include "signaling/websocket_session.hpp"

namespace rrtc::signaling {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// Only GET and HEAD are served outside the admin API, whose POST bodies may be as large as a
// WebSocket message (max_message_bytes) when it is on.
constexpr std::uint64_t kBodyLimit = 16 * 1024;

// The value of every `name` field of `request`, joined with "," as RFC 9110 section 5.3 allows.
std::string joined_fields(const HttpRequest& request, std::string_view name) {
  std::string out;
  auto range = request.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    if (!out.empty()) out += ',';
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

// A refusal the client can read: the protocol's `error` JSON, then the connection closes.
HttpResponse error_response(unsigned version, http::status status, ErrorCode code,
                            std::string_view message) {
  HttpResponse response{status, version};
  response.set(http::field::server, "rrtc");
  response.set(http::field::content_type, "application/json");
  response.body() = error_json(code, message);
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<Hub> hub,
                         ConnectionSlot slot)
    : stream_(std::move(socket)),
      hub_(std::move(hub)),
      id_(hub_->next_id()),
      reply_timer_(stream_.get_executor()) {
  slot_.emplace(std::move(slot));
}

HttpSession::~HttpSession() { hub_->untrack(id_); }

void HttpSession::run() {
  hub_->track(id_, weak_from_this());
  do_read();
}

void HttpSession::shut_down() {
  awaiting_ = 0;
  reply_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  std::uint64_t body_limit = kBodyLimit;
  if (!hub_->options().api_secret.empty()) {
    body_limit = std::max<std::uint64_t>(body_limit, hub_->options().max_message_bytes);
  }
  parser_->body_limit(body_limit);
  // One deadline for the whole request, from the moment we wait for it: a client trickling its
  // headers (slowloris) or never sending any is closed at message_timeout.
  stream_.expires_after(hub_->options().message_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec == beast::error::timeout) {
    bool started = parser_->got_some() || buffer_.size() > 0;
    hub_->metrics().connection_closed(started ? "message_timeout" : "idle_timeout");
    hub_->log_limited(started ? "closed_http_message_timeout" : "closed_http_idle_timeout",
                      "closing HTTP connection from {}: {} within {} s (message_timeout)",
                      slot_->address(), started ? "request not completed" : "no request",
                      hub_->options().message_timeout.count());
    return;  // tcp_stream closed the socket
  }
  if (ec == http::error::header_limit || ec == http::error::body_limit) {
    hub_->metrics().connection_closed("too_large");
    hub_->log_limited("closed_http_too_large", "closing HTTP connection from {}: {}",
                      slot_->address(), ec.message());
    // A body over the limit came after whole headers: an admin request gets the API's JSON.
    if (ec == http::error::body_limit && !hub_->options().api_secret.empty() &&
        is_admin_path(parser_->get().target())) {
      hub_->metrics().admin_request(413);
      return write(admin_error_response(parser_->get().version(), false,
                                        http::status::payload_too_large,
                                        "request body over max_message_bytes"));
    }
    return write(error_response(11, http::status::payload_too_large, ErrorCode::too_large,
                                "request headers or body too large"));
  }
  if (ec) {
    if (ec != boost::asio::error::operation_aborted) {
      rrtc::log::get("signaling").debug("http read: {}", ec.message());
    }
    return;
  }
  const HttpRequest& request = parser_->get();
  if (slot_->via_proxy() && !bind_client(request)) {
    return write(error_response(request.version(), http::status::too_many_requests,
                                ErrorCode::too_many_requests,
                                "too many connections from your address"));
  }
  if (beast::websocket::is_upgrade(request)) {
    if (is_websocket_path(request.target())) return upgrade();
    return write(text_response(request, http::status::not_found, "no WebSocket endpoint here"));
  }
  if (hub_->stopping()) {
    auto response = text_response(request, http::status::service_unavailable, "shutting down");
    response.keep_alive(false);
    return write(std::move(response));
  }
  if (is_admin_path(request.target())) return answer_admin(request);
  write(route_request(*hub_, request));
}

void HttpSession::answer_admin(const HttpRequest& request) {
  const std::uint64_t number = ++requests_;
  awaiting_ = number;
  awaiting_version_ = request.version();
  awaiting_keep_alive_ = request.keep_alive();
  // The timer's handler holds the session while it waits; the answer holds it only weakly, so
  // an answer that never comes keeps nothing alive past the deadline.
  reply_timer_.expires_after(hub_->options().message_timeout);
  reply_timer_.async_wait(
      beast::bind_front_handler(&HttpSession::on_admin_deadline, shared_from_this(), number));
  handle_admin_request(hub_, request, [weak = weak_from_this(), number](HttpResponse response) {
    if (auto self = weak.lock()) {
      self->on_admin_answer(number, std::move(response));
    }
  });
}

void HttpSession::on_admin_answer(std::uint64_t request, HttpResponse response) {
  if (awaiting_ != request) return;  // answered 504 already, or shut down
  awaiting_ = 0;
  reply_timer_.cancel();
  write(std::move(response));
}

void HttpSession::on_admin_deadline(std::uint64_t request, beast::error_code ec) {
  if (ec || awaiting_ != request) return;
  awaiting_ = 0;
  hub_->metrics().admin_request(504);
  hub_->log_limited("admin_timeout", "admin API: no answer within {} s (message_timeout): 504",
                    hub_->options().message_timeout.count());
  write(admin_error_response(awaiting_version_, awaiting_keep_alive_, http::status::gateway_timeout,
                             "the media stack did not answer in time"));
}

bool HttpSession::bind_client(const HttpRequest& request) {
  ClientAddress client =
      client_address(slot_->peer(), joined_fields(request, "Forwarded"),
                     joined_fields(request, "X-Forwarded-For"), hub_->trusted_proxies());
  if (client.header_invalid) {
    hub_->metrics().forwarded_header_invalid();
    hub_->log_limited("forwarded_invalid",
                      "trusted proxy {} sent a Forwarded/X-Forwarded-For naming no usable "
                      "client; counting the proxy's address",
                      slot_->peer().to_string());
  }
  if (slot_->rebind(client.address)) return true;
  hub_->metrics().connection_refused("per_ip");
  hub_->log_limited("refused_per_ip_forwarded",
                    "refusing a request from {} via proxy {}: {} open from that address "
                    "(max_connections_per_ip)",
                    client.address.to_string(), slot_->peer().to_string(),
                    hub_->options().max_connections_per_ip);
  return false;
}

void HttpSession::upgrade() {
  auto session = std::make_shared<WebSocketSession>(std::move(stream_), hub_, std::move(*slot_));
  slot_.reset();
  session->run(parser_->release());
}

void HttpSession::write(HttpResponse response) {
  response_ = std::make_shared<HttpResponse>(std::move(response));
  bool keep_alive = response_->keep_alive();
  // A client that does not read its response is cut at the same deadline.
  stream_.expires_after(hub_->options().message_timeout);
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (!keep_alive || hub_->stopping()) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  do_read();
}

}  // namespace rrtc::signaling
