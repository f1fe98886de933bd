#pragma once
// One participant's WebSocket to the server (PROTOCOL.md), a Boost.Beast client on a shared
// io_context: connect, handshake, then a read loop that hands every text message to the
// listener, and a write queue so sends never overlap.
//
// Threading: every method except send() and close() runs on the io_context's thread; send() and
// close() may be called from any thread (they post). Listener callbacks run on the io_context's
// thread; the listener must outlive the io_context's run (the Runner stops the io_context before
// it destroys participants).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace rrtc::loadgen {

// ws://host:port/path
struct WsUrl {
  std::string host;
  std::string port;
  std::string path;
};
std::optional<WsUrl> parse_ws_url(const std::string& url);

class SignalingListener {
 public:
  virtual void on_ws_open() = 0;
  virtual void on_ws_message(std::string text) = 0;
  virtual void on_ws_closed(std::string why) = 0;

 protected:
  ~SignalingListener() = default;
};

class SignalingClient : public std::enable_shared_from_this<SignalingClient> {
 public:
  SignalingClient(boost::asio::io_context& ioc, WsUrl url, SignalingListener& listener);

  void start();
  void send(std::string text);
  void close();

 private:
  void fail(const char* what, boost::system::error_code ec);
  void read_next();
  void write_next();

  boost::asio::io_context& ioc_;
  WsUrl url_;
  SignalingListener& listener_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool open_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace rrtc::loadgen
