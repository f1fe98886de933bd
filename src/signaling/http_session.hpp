#pragma once
// One TCP connection speaking HTTP/1.1: serves routes (http_routes.hpp) with keep-alive, and
// hands the socket to a WebSocketSession on an upgrade at "/" or "/ws". Every input is bounded:
// header and body sizes (413 and close), and message_timeout for each request and response
// (closed; an idle keep-alive connection too). Admin API requests (/api/, admin_api.hpp) may be
// answered later: the session waits for the answer at most message_timeout, then answers 504
// and ignores the late one.
//
// Threading: the signaling io_context's thread. Lifetime: held by its pending operations.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "signaling/http_routes.hpp"
#include "signaling/hub.hpp"

namespace rrtc::signaling {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<Hub> hub, ConnectionSlot slot);
  ~HttpSession();

  void run();
  // Closes the connection (server stopping); a response being written is cut short.
  void shut_down();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // On a trusted proxy's connection: counts it against the client the request names. False when
  // that client is at max_connections_per_ip (counted and logged).
  bool bind_client(const HttpRequest& request);
  void upgrade();
  // Hands an /api/ request to the admin API and waits for its answer (reply_timer_).
  void answer_admin(const HttpRequest& request);
  void on_admin_answer(std::uint64_t request, HttpResponse response);
  void on_admin_deadline(std::uint64_t request, boost::beast::error_code ec);
  void write(HttpResponse response);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<Hub> hub_;
  std::optional<ConnectionSlot> slot_;
  std::uint64_t id_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<HttpResponse> response_;  // kept alive while being written
  // The admin request waiting for its answer (0: none); numbered so a late answer is ignored.
  std::uint64_t awaiting_ = 0;
  std::uint64_t requests_ = 0;
  unsigned awaiting_version_ = 11;
  bool awaiting_keep_alive_ = false;
  boost::asio::steady_timer reply_timer_;
};

}  // namespace rrtc::signaling
