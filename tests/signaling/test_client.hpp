#pragma once
// Real-socket clients for the signaling integration tests: a Beast WebSocket client whose reads
// wait with a deadline (no sleeps), a one-shot HTTP GET, and an in-process server fixture
// running the Server on its own io_context thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "signaling/server.hpp"

namespace rrtc::signaling::testing {

using namespace std::chrono_literals;

class WsClient {
 public:
  struct Options {
    std::string path = "/ws";
    int receive_buffer = 0;  // SO_RCVBUF before connecting; 0 = default
  };

  explicit WsClient(std::uint16_t port) : WsClient(port, Options{}) {}
  WsClient(std::uint16_t port, Options options);

  void send(const std::string& text);
  void send(const boost::json::object& message) { send(boost::json::serialize(message)); }
  void send_binary(const std::string& bytes);

  // The next message, or nullopt when the connection closed or `timeout` passed.
  std::optional<boost::json::object> read(std::chrono::milliseconds timeout = 10s);
  // Reads until a message of `type` arrives (others are skipped); nullopt on close/timeout.
  std::optional<boost::json::object> read_type(std::string_view type,
                                               std::chrono::milliseconds timeout = 10s);
  // Joins and returns the `joined` message (or whatever came instead).
  boost::json::object join(const std::string& room, const std::string& participant = "",
                           const std::string& name = "");
  // Reads until the server closes; true if a close frame with `code` arrived in time.
  bool wait_closed(boost::beast::websocket::close_code code,
                   std::chrono::milliseconds timeout = 10s);

  bool closed() const { return closed_; }
  boost::beast::websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  bool read_raw(std::string& out, std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_{ioc_};
  bool closed_ = false;
};

// A plain TCP client for what WsClient cannot do: send nothing, trickle bytes, write raw
// WebSocket frames, read what the server sends until it closes. Reads wait with deadlines.
class RawClient {
 public:
  // Connects to 127.0.0.1:port, from `source` (any 127.x.y.z) when given.
  explicit RawClient(std::uint16_t port, const std::string& source = "");

  // Blocking write; false when the server has closed or reset the connection.
  bool write(std::string_view bytes);
  // Reads until `done(received())` holds, the server closes (eof()), or `timeout` passes.
  // Returns whether `done` held.
  bool read_until(const std::function<bool(const std::string&)>& done,
                  std::chrono::milliseconds timeout);
  // Reads until the server closes; true if it did within `timeout`.
  bool wait_eof(std::chrono::milliseconds timeout);
  // Sends a WebSocket upgrade request for /ws and reads the response headers; returns the
  // status code (0 if none arrived).
  unsigned upgrade(std::uint16_t port, std::chrono::milliseconds timeout = 5s);
  // A masked client frame header (RFC 6455 section 5.2) announcing `length` payload bytes, and
  // the payload masked with the key that header carries.
  static std::string frame_header(std::uint8_t opcode, std::uint64_t length, bool fin = true);
  static std::string masked(std::string_view payload, std::uint64_t offset = 0);

  const std::string& received() const { return received_; }
  bool eof() const { return eof_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_{ioc_};
  std::string received_;
  bool eof_ = false;
};

// Seconds since `start`, for the measurements the tests print.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

HttpReply http_request(std::uint16_t port, std::string_view target,
                       boost::beast::http::verb method = boost::beast::http::verb::get);

// Runs a Server on its own thread. Every call into the Server goes through on_server().
class ServerFixture {
 public:
  explicit ServerFixture(ServerOptions options, MediaBackend* media = nullptr);
  ~ServerFixture();

  std::uint16_t port() const { return port_; }

  template <class F>
  auto on_server(F f) -> decltype(f(std::declval<Server&>())) {
    using R = decltype(f(std::declval<Server&>()));
    std::packaged_task<R()> task([&] { return f(*server_); });
    auto future = task.get_future();
    boost::asio::post(ioc_, [&task] { task(); });
    return future.get();
  }
  std::size_t rooms() {
    return on_server([](Server& s) { return s.rooms(); });
  }
  std::size_t participants() {
    return on_server([](Server& s) { return s.participants(); });
  }
  std::size_t sessions() {
    return on_server([](Server& s) { return s.sessions(); });
  }
  // Spins until `condition` holds on the server thread, or the deadline passes.
  bool wait_until(const std::function<bool(Server&)>& condition,
                  std::chrono::milliseconds timeout = 10s);

  // Posts stop() to the server thread.
  void request_stop();
  // Calls stop() (once) and returns whether io_context::run() returned within `timeout`.
  bool stop_and_wait(std::chrono::milliseconds timeout);

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::promise<void> finished_;
  std::future<void> finished_future_ = finished_.get_future();
  bool stopped_ = false;
};

// Options for tests: loopback, any free port.
ServerOptions test_options();

}  // namespace rrtc::signaling::testing
