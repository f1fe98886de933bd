#include "test_client.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace rrtc::signaling::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

WsClient::WsClient(std::uint16_t port, Options options) {
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.open(tcp::v4());
  if (options.receive_buffer > 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer));
  }
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ws_.read_message_max(0);
  ws_.handshake("127.0.0.1:" + std::to_string(port), options.path);
}

void WsClient::send(const std::string& text) {
  ws_.text(true);
  ws_.write(asio::buffer(text));
}

void WsClient::send_binary(const std::string& bytes) {
  ws_.binary(true);
  ws_.write(asio::buffer(bytes));
  ws_.text(true);
}

bool WsClient::read_raw(std::string& out, std::chrono::milliseconds timeout) {
  if (closed_) return false;
  beast::flat_buffer buffer;
  bool done = false;
  beast::error_code result;
  ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) {
    done = true;
    result = ec;
  });
  ioc_.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && ioc_.run_one_until(deadline) > 0) {
  }
  if (!done) {
    // Timed out: cancel, and let the cancelled read finish before the buffer goes away.
    beast::get_lowest_layer(ws_).cancel();
    ioc_.restart();
    while (!done) ioc_.run_one();
    closed_ = true;
    return false;
  }
  if (result) {
    closed_ = true;
    return false;
  }
  out = beast::buffers_to_string(buffer.data());
  return true;
}

std::optional<json::object> WsClient::read(std::chrono::milliseconds timeout) {
  std::string text;
  if (!read_raw(text, timeout)) return std::nullopt;
  json::value v = json::parse(text);
  if (!v.is_object()) throw std::runtime_error("server sent a non-object: " + text);
  return v.get_object();
}

std::optional<json::object> WsClient::read_type(std::string_view type,
                                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    auto m = read(left);
    if (!m) return std::nullopt;
    if (m->at("type").as_string() == type) return m;
  }
}

json::object WsClient::join(const std::string& room, const std::string& participant,
                            const std::string& name) {
  json::object j{{"type", "join"}, {"room", room}};
  if (!participant.empty()) j["participant"] = participant;
  if (!name.empty()) j["name"] = name;
  send(j);
  auto reply = read();
  if (!reply) throw std::runtime_error("no reply to join");
  return *reply;
}

bool WsClient::wait_closed(websocket::close_code code, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string ignored;
  while (!closed_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    read_raw(ignored, left);
  }
  return ws_.reason().code == code;
}

HttpReply http_request(std::uint16_t port, std::string_view target, http::verb method) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  if (method == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  auto& response = parser.get();
  return {static_cast<unsigned>(response.result_int()),
          std::string(response[http::field::content_type]), response.body()};
}

ServerFixture::ServerFixture(ServerOptions options, MediaBackend* media) {
  server_ = std::make_unique<Server>(ioc_, std::move(options), media);
  port_ = server_->start();
  thread_ = std::thread([this] {
    ioc_.run();
    finished_.set_value();
  });
}

ServerFixture::~ServerFixture() {
  stop_and_wait(10s);
  if (thread_.joinable()) thread_.join();
}

bool ServerFixture::wait_until(const std::function<bool(Server&)>& condition,
                               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (on_server([&](Server& s) { return condition(s); })) return true;
    std::this_thread::yield();
  }
  return false;
}

void ServerFixture::request_stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::post(ioc_, [this] { server_->stop(); });
}

bool ServerFixture::stop_and_wait(std::chrono::milliseconds timeout) {
  request_stop();
  return finished_future_.wait_for(timeout) == std::future_status::ready;
}

RawClient::RawClient(std::uint16_t port, const std::string& source) {
  socket_.open(tcp::v4());
  if (!source.empty()) socket_.bind(tcp::endpoint(asio::ip::make_address(source), 0));
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

bool RawClient::write(std::string_view bytes) {
  beast::error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

bool RawClient::read_until(const std::function<bool(const std::string&)>& done,
                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> chunk{};
  while (!done(received_)) {
    if (eof_) return false;
    bool finished = false;
    socket_.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      finished = true;
      received_.append(chunk.data(), n);
      if (ec && ec != asio::error::operation_aborted) eof_ = true;  // EOF or reset
    });
    ioc_.restart();
    while (!finished && ioc_.run_one_until(deadline) > 0) {
    }
    if (!finished) {
      socket_.cancel();
      ioc_.restart();
      while (!finished) ioc_.run_one();
      return done(received_);
    }
  }
  return true;
}

bool RawClient::wait_eof(std::chrono::milliseconds timeout) {
  read_until([this](const std::string&) { return eof_; }, timeout);
  return eof_;
}

unsigned RawClient::upgrade(std::uint16_t port, std::chrono::milliseconds timeout) {
  write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  auto headers_end = [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; };
  if (!read_until(headers_end, timeout) || received_.size() < 12) return 0;
  unsigned status = static_cast<unsigned>(std::stoul(received_.substr(9, 3)));
  received_.erase(0, received_.find("\r\n\r\n") + 4);
  return status;
}

namespace {
constexpr std::array<std::uint8_t, 4> kMask{0x12, 0x34, 0x56, 0x78};
}  // namespace

std::string RawClient::frame_header(std::uint8_t opcode, std::uint64_t length, bool fin) {
  std::string h;
  h += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
  if (length < 126) {
    h += static_cast<char>(0x80 | length);
  } else if (length <= 0xffff) {
    h += static_cast<char>(0x80 | 126);
    h += static_cast<char>(length >> 8);
    h += static_cast<char>(length & 0xff);
  } else {
    h += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) h += static_cast<char>((length >> shift) & 0xff);
  }
  for (auto b : kMask) h += static_cast<char>(b);
  return h;
}

std::string RawClient::masked(std::string_view payload, std::uint64_t offset) {
  std::string out(payload);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(out[i] ^ kMask[(offset + i) % 4]);
  return out;
}

ServerOptions test_options() {
  ServerOptions o;
  o.listen_address = "127.0.0.1";
  o.port = 0;
  o.version = "test";
  return o;
}

}  // namespace rrtc::signaling::testing
