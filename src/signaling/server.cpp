#include "signaling/server.hpp"

#include "log/log.hpp"
#include "signaling/hub.hpp"
#include "signaling/listener.hpp"

namespace rrtc::signaling {

Server::Server(boost::asio::io_context& ioc, ServerOptions options, MediaBackend* media)
    : ioc_(ioc), hub_(std::make_shared<Hub>(ioc, std::move(options), media)) {
  hub_->attach_media();
}

Server::~Server() { stop(); }

std::uint16_t Server::start() {
  const auto& o = hub_->options();
  listener_ = std::make_shared<Listener>(ioc_, hub_);
  std::uint16_t port = listener_->open(o.listen_address, o.port);
  listener_->run();
  rrtc::log::get("signaling")
      .debug("listening on {}:{} (HTTP and WebSocket at / and /ws)", o.listen_address, port);
  return port;
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (listener_) listener_->close();
  hub_->stop();
}

std::size_t Server::rooms() const { return hub_->rooms(); }
std::size_t Server::participants() const { return hub_->participants(); }
std::size_t Server::sessions() const { return hub_->sessions(); }

void Server::set_extra_metrics(std::function<std::string()> source) {
  hub_->set_extra_metrics(std::move(source));
}

}  // namespace rrtc::signaling
