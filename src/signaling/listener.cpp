#include "signaling/listener.hpp"

#include <system_error>

#include "log/log.hpp"
#include "signaling/http_session.hpp"

namespace rrtc::signaling {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

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
    auto slot = hub_->open_connection(remote.address().to_string());
    std::make_shared<HttpSession>(std::move(socket), hub_, std::move(slot))->run();
  }
  do_accept();
}

}  // namespace rrtc::signaling
