#pragma once
// What the signaling server needs from the configuration. The app maps its Config onto this, so
// the signaling layer never includes the app layer.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rrtc::signaling {

// One entry of `joined.ice_servers`, handed to clients for their RTCPeerConnection.
struct IceServer {
  std::vector<std::string> urls;
  std::string username;    // empty = omitted
  std::string credential;  // empty = omitted
};

// Cluster mode (docs/cluster.md): on when redis_url is set. Validated by the app.
struct ClusterOptions {
  std::string redis_url;      // redis://...; empty = a single node, no Redis
  std::string node_id;        // empty = a random id at every start
  std::string signaling_url;  // ws:// or wss:// URL of this node, registered in the directory
  std::string media_address;  // the address this node's ICE candidates carry (for the directory)
  std::chrono::seconds heartbeat{2};
  std::chrono::seconds node_ttl{6};
  std::chrono::seconds drain_timeout{300};  // SIGTERM: how long running rooms may go on
};

struct ServerOptions {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 8080;  // 0 = any free port (tests)

  std::size_t max_participants_per_room = 50;
  std::size_t max_rooms = 10000;
  std::chrono::seconds empty_room_grace{0};
  std::vector<IceServer> ice_servers;

  // Limits per connection and per client address.
  std::size_t max_message_bytes = 64 * 1024;
  std::size_t max_messages_per_second = 50;  // token bucket, burst of twice this
  std::size_t max_connections_per_ip = 32;
  std::size_t send_queue_limit = 1024;  // queued outgoing messages before the session is dropped
  std::size_t socket_send_buffer_bytes = 0;  // SO_SNDBUF of accepted sockets; 0 = OS default
  std::chrono::seconds ping_interval{10};
  std::uint32_t max_missed_pongs = 3;

  // Whole-server caps: over max_connections a new connection gets HTTP 503; over
  // max_participants (all rooms) a join gets error 503.
  std::size_t max_connections = 10000;
  std::size_t max_participants = 10000;
  // Deadlines: an upgraded WebSocket must join within join_timeout; one HTTP request, WebSocket
  // handshake or WebSocket message must complete within message_timeout once it started.
  std::chrono::seconds join_timeout{10};
  std::chrono::seconds message_timeout{10};
  // A connection that earns max_protocol_errors error replies within protocol_error_window is
  // closed.
  std::uint32_t max_protocol_errors = 10;
  std::chrono::seconds protocol_error_window{60};
  // Reverse proxies (addresses or CIDRs, validated by the app) whose X-Forwarded-For /
  // Forwarded headers give the client address.
  std::vector<std::string> trusted_proxies;

  // Admin API (docs/admin-api.md): on when api_secret is set; admin tokens are HS256 JWTs
  // signed with api_secret whose `iss` is api_key.
  std::string api_key;
  std::string api_secret;
  // Webhooks (docs/webhooks.md): events POSTed to each URL, signed with api_secret; a failing
  // event is retried with backoff for webhook_retry_for, from a queue of webhook_queue_size
  // events per URL (the oldest is dropped, and counted, when it is full).
  std::vector<std::string> webhook_urls;
  std::chrono::seconds webhook_timeout{5};
  std::chrono::seconds webhook_retry_for{300};
  std::size_t webhook_queue_size = 10000;
  // Ephemeral TURN credentials: with turn_secret set, every `ice_servers` entry with turn: or
  // turns: URLs and no username gets, in each `joined`, username "<expiry>:<participant>" and
  // credential base64(HMAC-SHA1(turn_secret, username)), valid for turn_credential_ttl.
  std::string turn_secret;
  std::chrono::seconds turn_credential_ttl{86400};

  ClusterOptions cluster;

  std::string join_secret;  // empty = no join tokens required
  std::string web_root;  // folder of the browser client; empty = the files embedded in the binary
  std::string version = "0.0.0";
};

}  // namespace rrtc::signaling
