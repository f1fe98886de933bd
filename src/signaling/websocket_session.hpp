#pragma once
// One WebSocket connection: the read loop (size cap, text only, rate limit), a bounded write
// queue, keep-alive pings, and the close handshake. The signaling logic lives in Hub.
//
// Deadlines (ServerOptions): a session must join within join_timeout of its upgrade; a message
// whose first frame arrived must be complete within message_timeout (Beast's own timeouts are
// idle timeouts, which a byte every 100 ms never trips); a close, once asked for, cuts the
// socket after kCloseGrace if the peer does not finish the close handshake.
//
// Threading: all on the signaling io_context's thread. Lifetime: held by its pending
// asynchronous operations (shared_from_this); Hub keeps only a plain pointer while the session
// is joined, and session_closed() erases it before the session can die.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "signaling/client_session.hpp"
#include "signaling/error_window.hpp"
#include "signaling/hub.hpp"
#include "signaling/token_bucket.hpp"

namespace rrtc::signaling {

class WebSocketSession final : public ClientSession,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:

  WebSocketSession(boost::beast::tcp_stream&& stream, std::shared_ptr<Hub> hub,
                   ConnectionSlot slot);
  ~WebSocketSession();

  // Completes the upgrade requested by `request`, then starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  // Queues a text message. A session whose queue is full is dropped (memory stays bounded).
  void send(std::shared_ptr<const std::string> text) override;
  // Sends what is queued, then the close frame. Reading stops; nothing more is sent.
  void close(boost::beast::websocket::close_code code) override;
  // Closes the socket at once, without a close handshake.
  void drop(std::string_view reason) override;

  // Hub: the session joined a room, so the join deadline no longer applies.
  void joined() override;
  // Hub: one more `error` reply at `now`. True when that makes more than max_protocol_errors
  // within protocol_error_window (the caller closes); false once a close is under way.
  bool count_protocol_error(std::chrono::steady_clock::time_point now) override;

  std::uint64_t id() const override { return id_; }
  const std::string& address() const override { return slot_.address(); }

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void deliver_message();
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void start_ping_timer();
  void on_ping_timer(boost::beast::error_code ec);
  void on_join_deadline(boost::beast::error_code ec);
  void on_message_deadline(boost::beast::error_code ec);
  // A message ended (delivered, discarded or refused): its deadline no longer applies.
  void message_done();
  void finish();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::shared_ptr<Hub> hub_;
  ConnectionSlot slot_;
  std::uint64_t id_;
  boost::beast::flat_buffer buffer_;
  bool discarding_binary_ = false;

  std::deque<std::shared_ptr<const std::string>> queue_;
  bool writing_ = false;
  std::optional<boost::beast::websocket::close_code> close_code_;  // close requested
  bool close_started_ = false;
  bool finished_ = false;
  bool opened_ = false;

  TokenBucket bucket_;
  bool rate_limited_ = false;  // 429 already sent for the current burst

  ErrorWindow errors_;  // max_protocol_errors within protocol_error_window
  boost::asio::steady_timer join_timer_;
  boost::asio::steady_timer message_timer_;
  bool message_started_ = false;  // message_timer_ runs for the message being read
  boost::asio::steady_timer close_timer_;

  boost::asio::steady_timer ping_timer_;
  bool ping_in_flight_ = false;
  bool awaiting_pong_ = false;
  std::uint32_t missed_pongs_ = 0;
};

}  // namespace rrtc::signaling
