#include "signaling/server.hpp"

#include "log/log.hpp"
#include "signaling/hub.hpp"
#include "signaling/listener.hpp"
#include "signaling/webhook_dispatcher.hpp"

namespace rrtc::signaling {
namespace {
// Within the app's shutdown grace (5 s): queued webhook events get this long to go out.
constexpr auto kWebhookGrace = std::chrono::seconds(2);
}  // namespace

Server::Server(boost::asio::io_context& ioc, ServerOptions options, MediaBackend* media)
    : ioc_(ioc), hub_(std::make_shared<Hub>(ioc, std::move(options), media)) {
  hub_->attach_media();
  if (!hub_->options().webhook_urls.empty()) {
    webhooks_ = std::make_shared<WebhookDispatcher>(ioc, hub_->options());
    hub_->set_event_sink([weak = std::weak_ptr<WebhookDispatcher>(webhooks_)](const RoomEvent& e) {
      if (auto webhooks = weak.lock()) webhooks->on_event(e);
    });
    set_extra_metrics({});
  }
}

Server::~Server() { stop(); }

std::uint16_t Server::start() {
  const auto& o = hub_->options();
  listener_ = std::make_shared<Listener>(ioc_, hub_);
  std::uint16_t port = listener_->open(o.listen_address, o.port);
  listener_->run();
  hub_->start_cluster();
  rrtc::log::get("signaling")
      .debug("listening on {}:{} (HTTP and WebSocket at / and /ws)", o.listen_address, port);
  return port;
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (listener_) listener_->close();
  hub_->stop();
  if (webhooks_) webhooks_->stop(kWebhookGrace);
}

bool Server::cluster_mode() const { return hub_->cluster_mode(); }
void Server::drain(std::function<void()> done) { hub_->drain(std::move(done)); }

std::size_t Server::rooms() const { return hub_->rooms(); }
std::size_t Server::participants() const { return hub_->participants(); }
std::size_t Server::sessions() const { return hub_->sessions(); }

void Server::set_extra_metrics(std::function<std::string()> source) {
  if (!webhooks_) return hub_->set_extra_metrics(std::move(source));
  hub_->set_extra_metrics([source = std::move(source), webhooks = webhooks_] {
    std::string text = source ? source() : std::string();
    return text + webhooks->metrics_text();
  });
}

}  // namespace rrtc::signaling
