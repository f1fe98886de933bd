#include "signaling/listener.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <system_error>

#include "log/log.hpp"
#include "signaling/http_session.hpp"

namespace rrtc::signaling {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// How long a refused connection may take to read our answer and close its side.
constexpr auto kRefusalLinger = std::chrono::seconds(1);

IpAddress to_ip_address(const asio::ip::address& address) {
  if (address.is_v4()) return IpAddress::from_v4(address.to_v4().to_bytes());
  return IpAddress::from_v6(address.to_v6().to_bytes());
}

std::string refusal_text(Refusal refusal) {
  bool full = refusal == Refusal::server_full;
  std::string body =
      full ? error_json(ErrorCode::service_unavailable, "server is full")
           : error_json(ErrorCode::too_many_requests, "too many connections from your address");
  return std::string(full ? "HTTP/1.1 503 Service Unavailable\r\n"
                          : "HTTP/1.1 429 Too Many Requests\r\n") +
         "Server: rrtc\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A connection over a limit: answered at once, before its request is read, and closed. After
// the answer our side is shut down, and what the client still sends is read and thrown away
// for at most kRefusalLinger, so that closing does not reset the connection before the client
// has read the answer.
class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(tcp::socket socket, Refusal refusal)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), text_(refusal_text(refusal)) {}

  void run() {
    timer_.expires_after(kRefusalLinger);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close();
    });
    asio::async_write(socket_, asio::buffer(text_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        boost::system::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                        self->drain();
                      });
  }

 private:
  void drain() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->close();  // EOF: the client closed too
                              self->drain();
                            });
  }
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string text_;
  std::array<char, 512> discard_{};
};

}  // namespace

Listener::Listener(asio::io_context& ioc, std::shared_ptr<Hub> hub)
    : ioc_(ioc), acceptor_(ioc), retry_timer_(ioc), hub_(std::move(hub)) {}

std::uint16_t Listener::open(const std::string& address, std::uint16_t port) {
  auto fail = [&](boost::system::error_code ec) {
    throw std::system_error(ec, "cannot listen on " + address + ":" + std::to_string(port));
  };
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) fail(ec);
  tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail(ec);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail(ec);
  acceptor_.bind(endpoint, ec);
  if (ec) fail(ec);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec);
  return acceptor_.local_endpoint().port();
}

void Listener::run() { do_accept(); }

void Listener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

void Listener::do_accept() {
  acceptor_.async_accept(
      ioc_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: log, and retry a little later rather than spin.
    rrtc::log::get("signaling").warn("accept: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  boost::system::error_code remote_ec;
  auto remote = socket.remote_endpoint(remote_ec);
  if (!remote_ec) {  // the peer may already be gone
    std::size_t send_buffer = hub_->options().socket_send_buffer_bytes;
    if (send_buffer > 0) {
      socket.set_option(asio::socket_base::send_buffer_size(static_cast<int>(send_buffer)),
                        remote_ec);
    }
    socket.set_option(tcp::no_delay(true), remote_ec);
    Refusal refusal{};
    auto slot = hub_->admit(to_ip_address(remote.address()), refusal);
    if (slot) {
      std::make_shared<HttpSession>(std::move(socket), hub_, std::move(*slot))->run();
    } else {
      std::make_shared<RefusedConnection>(std::move(socket), refusal)->run();
    }
  }
  do_accept();
}

}  // namespace rrtc::signaling
