#pragma once
// The signaling server: one port for HTTP (web client, /healthz, /metrics) and the WebSocket
// protocol of PROTOCOL.md at "/ws" and "/". Owns the room registry behind it and hands media
// messages to a MediaBackend.
//
// Threading: construct, start(), stop() and the counters on the io_context's thread (or before
// it runs); the io_context must be run by exactly one thread. io_context::run() returns after
// stop() once every connection has closed (at most ~2 s later: stragglers are cut) and the
// webhook events still queued are delivered (at most 2 s later: the rest are dropped).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "room/media_backend.hpp"
#include "signaling/server_options.hpp"

namespace rrtc::signaling {

using MediaBackend = room::MediaBackend;

class Hub;
class Listener;
class WebhookDispatcher;

class Server {
 public:
  // `media` may be null (no media transport: a valid `offer` gets error 500). When given, it
  // must outlive the Server, and Server calls media->attach() here.
  Server(boost::asio::io_context& ioc, ServerOptions options, MediaBackend* media = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds listen_address:port and starts accepting. Throws std::system_error naming the address
  // on failure. Returns the bound port (useful with port 0).
  std::uint16_t start();
  // Stops accepting and closes every session with a close frame (1001 going away); cancels
  // timers. Idempotent.
  void stop();

  // Cluster mode (redis_url set, docs/cluster.md): drain() stops taking new rooms on this node
  // and calls `done` once its rooms have ended or drain_timeout passed; the caller then stops.
  // Without a cluster `done` runs at once.
  bool cluster_mode() const;
  void drain(std::function<void()> done);

  // Read-only counters (signaling thread).
  std::size_t rooms() const;
  std::size_t participants() const;
  std::size_t sessions() const;

  // Extra Prometheus text appended to GET /metrics; called on the signaling thread per scrape.
  void set_extra_metrics(std::function<std::string()> source);

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<Hub> hub_;
  std::shared_ptr<Listener> listener_;
  std::shared_ptr<WebhookDispatcher> webhooks_;  // when webhook_urls is set
  bool stopped_ = false;
};

}  // namespace rrtc::signaling
