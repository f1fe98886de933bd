#include "signaling/http_session.hpp"

#include <boost/beast/websocket.hpp>

#include "log/log.hpp"
#include "signaling/websocket_session.hpp"

namespace rrtc::signaling {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 16 * 1024;  // only GET and HEAD are served

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<Hub> hub,
                         ConnectionSlot slot)
    : stream_(std::move(socket)), hub_(std::move(hub)), id_(hub_->next_id()) {
  slot_.emplace(std::move(slot));
}

HttpSession::~HttpSession() { hub_->untrack(id_); }

void HttpSession::run() {
  hub_->track(id_, weak_from_this());
  do_read();
}

void HttpSession::shut_down() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  stream_.expires_after(kReadTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec) {
    if (ec != boost::asio::error::operation_aborted && ec != beast::error::timeout) {
      rrtc::log::get("signaling").debug("http read: {}", ec.message());
    }
    return;
  }
  const HttpRequest& request = parser_->get();
  if (beast::websocket::is_upgrade(request)) {
    if (is_websocket_path(request.target())) return upgrade();
    return write(text_response(request, http::status::not_found, "no WebSocket endpoint here"));
  }
  if (slot_->over_limit()) {
    auto response = text_response(request, http::status::too_many_requests,
                                  "too many connections from your address");
    response.keep_alive(false);
    return write(std::move(response));
  }
  if (hub_->stopping()) {
    auto response = text_response(request, http::status::service_unavailable, "shutting down");
    response.keep_alive(false);
    return write(std::move(response));
  }
  write(route_request(*hub_, request));
}

void HttpSession::upgrade() {
  auto session = std::make_shared<WebSocketSession>(std::move(stream_), hub_, std::move(*slot_));
  slot_.reset();
  session->run(parser_->release());
}

void HttpSession::write(HttpResponse response) {
  response_ = std::make_shared<HttpResponse>(std::move(response));
  bool keep_alive = response_->keep_alive();
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
