#pragma once
// Accepts TCP connections on the signaling port and hands each to an HttpSession, counted
// against its client address. Threading: the signaling io_context's thread.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "signaling/hub.hpp"

namespace rrtc::signaling {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, std::shared_ptr<Hub> hub);

  // Binds and listens; throws std::system_error naming the address on failure.
  std::uint16_t open(const std::string& address, std::uint16_t port);
  void run();
  void close();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // pause after a failed accept (EMFILE, ...)
  std::shared_ptr<Hub> hub_;
};

}  // namespace rrtc::signaling
