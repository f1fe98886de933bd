#pragma once
// The effective configuration of one rrtc process: embedded defaults, overridden in order by the
// config file, `.env`, environment variables and the command line (config_load.hpp). Every
// field here has a key of the same name in config files; README.md (Configuration) lists them all.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rrtc::app {

enum class LogFormat { kText, kJson };

// One entry of `ice_servers`, handed to browsers for their RTCPeerConnection.
struct IceServerConfig {
  std::vector<std::string> urls;
  std::string username;    // empty = omitted
  std::string credential;  // empty = omitted

  bool operator==(const IceServerConfig&) const = default;
};

// The TURN server the media layer allocates its own relay candidates on.
struct TurnConfig {
  std::string url;  // turn:host:port[?transport=udp|tcp] or turns:...
  std::string username;
  std::string credential;
  // key: turn.ice_transport_policy, "all" (false) or "relay" (true): gather and use only relay
  // candidates on this server, as RTCConfiguration.iceTransportPolicy = "relay" does in a browser.
  bool relay_only = false;

  bool operator==(const TurnConfig&) const = default;
};

struct Config {
  // Signaling (HTTP + WebSocket).
  std::uint16_t signaling_port = 8080;  // 0 = any free port
  std::string listen_address = "0.0.0.0";
  std::size_t max_participants_per_room = 50;
  std::size_t max_rooms = 10000;
  std::chrono::seconds empty_room_grace{0};  // key: empty_room_grace_seconds
  std::vector<IceServerConfig> ice_servers;
  std::size_t max_message_bytes = 65536;
  std::size_t max_messages_per_second = 50;
  std::size_t max_connections_per_ip = 32;
  std::size_t send_queue_limit = 1024;
  std::chrono::seconds ping_interval{10};  // key: ping_interval_seconds
  std::uint32_t max_missed_pongs = 3;
  std::string join_secret;  // HS256 secret for join tokens; empty = no token required
  std::string web_root;     // absolute after loading; empty = the embedded web client
  // Whole-server caps and signaling deadlines (docs/configuration.md, Limits).
  std::size_t max_connections = 10000;
  std::size_t max_participants = 10000;
  std::chrono::seconds join_timeout{10};     // key: join_timeout_seconds
  std::chrono::seconds message_timeout{10};  // key: message_timeout_seconds
  std::uint32_t max_protocol_errors = 10;
  std::chrono::seconds protocol_error_window{60};  // key: protocol_error_window_seconds
  std::vector<std::string> trusted_proxies;        // CIDRs ("10.0.0.0/8") or addresses
  // Admin API and webhooks (docs/admin-api.md, docs/webhooks.md): both off without api_secret.
  std::string api_key;     // the `iss` an admin token must carry
  std::string api_secret;  // HS256 key of admin tokens and of webhook signatures
  std::vector<std::string> webhook_urls;          // http:// or https:// URLs
  std::chrono::seconds webhook_timeout{5};        // key: webhook_timeout_seconds
  std::chrono::seconds webhook_retry_for{300};    // key: webhook_retry_seconds
  std::size_t webhook_queue_size = 10000;
  // Ephemeral TURN credentials (coturn's use-auth-secret / static-auth-secret).
  std::string turn_secret;
  std::chrono::seconds turn_credential_ttl{86400};  // key: turn_credential_ttl_seconds

  // Clusters (docs/cluster.md): one self-contained node without redis_url.
  std::string redis_url;           // redis://[[user]:password@]host[:port][/db]; masked on print
  std::string node_id;             // empty = a random id at every start
  std::string node_signaling_url;  // how clients reach this node directly (ws:// or wss://)
  std::chrono::seconds cluster_heartbeat{2};  // key: cluster_heartbeat_seconds
  std::chrono::seconds cluster_node_ttl{6};   // key: cluster_node_ttl_seconds
  std::chrono::seconds drain_timeout{300};    // key: drain_timeout_seconds

  // Media.
  std::uint16_t rtc_min_port = 10000;
  std::uint16_t rtc_max_port = 20000;
  std::string public_ip;                // announced instead of host addresses (1:1 NAT)
  std::vector<std::string> interfaces;  // names or addresses; empty = every non-loopback one
  std::optional<TurnConfig> turn;
  std::string stun;      // stun:host[:port]; empty = no server-reflexive candidates
  unsigned workers = 0;  // 0 = number of cores
  std::uint64_t remb_max_bitrate = 3000000;  // bits per second
  std::chrono::seconds connect_timeout{30};  // key: connect_timeout_seconds
  // Ingress policing per published track, and the data-channel relay per participant.
  std::uint64_t max_track_packets_per_second = 5000;
  std::uint64_t max_track_bitrate = 50000000;  // bits per second
  std::uint64_t max_data_messages_per_second = 200;
  std::uint64_t max_data_bytes_per_second = 2000000;
  // Retransmitted bytes to a subscriber, in percent of the media it is sent.
  std::uint32_t retransmit_budget_percent = 50;
  // What leaves for a subscriber with a bandwidth estimate is paced at this percent of it (0: not
  // paced).
  std::uint32_t pacing_percent = 150;
  // Rooms with at least this many participants spread their sends over all workers (0: all).
  std::size_t spread_min_subscribers = 100;
  bool io_uring = true;  // key: io_uring, "auto" (true) or "off" (false)

  // Logging.
  std::string log_level = "info";  // RRTC_LOG filter syntax (logging.hpp)
  LogFormat log_format = LogFormat::kText;

  bool operator==(const Config&) const = default;
};

}  // namespace rrtc::app
