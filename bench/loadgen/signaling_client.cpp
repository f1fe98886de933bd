#include "signaling_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace rrtc::loadgen {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

std::optional<WsUrl> parse_ws_url(const std::string& url) {
  const std::string scheme = "ws://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  WsUrl out;
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    out.host = authority;
    out.port = "80";
  } else {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

SignalingClient::SignalingClient(boost::asio::io_context& ioc, WsUrl url,
                                 SignalingListener& listener)
    : ioc_(ioc), url_(std::move(url)), listener_(listener), resolver_(ioc), ws_(ioc) {}

void SignalingClient::start() {
  resolver_.async_resolve(
      url_.host, url_.port,
      [self = shared_from_this()](boost::system::error_code ec,
                                  const tcp::resolver::results_type& results) {
        if (ec) return self->fail("resolve", ec);
        beast::get_lowest_layer(self->ws_).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(self->ws_).async_connect(
            results, [self](boost::system::error_code ec2, const tcp::endpoint&) {
              if (ec2) return self->fail("connect", ec2);
              beast::get_lowest_layer(self->ws_).expires_never();
              self->ws_.set_option(
                  websocket::stream_base::timeout::suggested(beast::role_type::client));
              self->ws_.async_handshake(self->url_.host + ":" + self->url_.port, self->url_.path,
                                        [self](boost::system::error_code ec3) {
                                          if (ec3) return self->fail("handshake", ec3);
                                          self->open_ = true;
                                          self->listener_.on_ws_open();
                                          self->read_next();
                                          self->write_next();
                                        });
            });
      });
}

void SignalingClient::read_next() {
  ws_.async_read(buffer_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    if (ec) return self->fail("read", ec);
    std::string text = beast::buffers_to_string(self->buffer_.data());
    self->buffer_.consume(self->buffer_.size());
    self->listener_.on_ws_message(std::move(text));
    self->read_next();
  });
}

void SignalingClient::send(std::string text) {
  boost::asio::post(ioc_, [self = shared_from_this(), text = std::move(text)]() mutable {
    if (self->closed_) return;
    self->queue_.push_back(std::move(text));
    self->write_next();
  });
}

void SignalingClient::write_next() {
  if (!open_ || writing_ || queue_.empty() || closed_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(queue_.front()),
                  [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                    self->writing_ = false;
                    if (ec) return self->fail("write", ec);
                    self->queue_.pop_front();
                    self->write_next();
                  });
}

void SignalingClient::close() {
  boost::asio::post(ioc_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    if (!self->open_) {
      beast::get_lowest_layer(self->ws_).close();
      return;
    }
    self->ws_.async_close(websocket::close_code::normal, [self](boost::system::error_code) {});
  });
}

void SignalingClient::fail(const char* what, boost::system::error_code ec) {
  const bool expected = closed_;
  closed_ = true;
  open_ = false;
  if (!expected) listener_.on_ws_closed(std::string(what) + ": " + ec.message());
}

}  // namespace rrtc::loadgen
