#include "app/server_options.hpp"

namespace rrtc::app {

signaling::ServerOptions to_server_options(const Config& config, std::string_view version) {
  signaling::ServerOptions options;
  options.listen_address = config.listen_address;
  options.port = config.signaling_port;
  options.max_participants_per_room = config.max_participants_per_room;
  options.max_rooms = config.max_rooms;
  options.empty_room_grace = config.empty_room_grace;
  for (const auto& server : config.ice_servers) {
    options.ice_servers.push_back(
        signaling::IceServer{server.urls, server.username, server.credential});
  }
  options.max_message_bytes = config.max_message_bytes;
  options.max_messages_per_second = config.max_messages_per_second;
  options.max_connections_per_ip = config.max_connections_per_ip;
  options.send_queue_limit = config.send_queue_limit;
  options.ping_interval = config.ping_interval;
  options.max_missed_pongs = config.max_missed_pongs;
  options.max_connections = config.max_connections;
  options.max_participants = config.max_participants;
  options.join_timeout = config.join_timeout;
  options.message_timeout = config.message_timeout;
  options.max_protocol_errors = config.max_protocol_errors;
  options.protocol_error_window = config.protocol_error_window;
  options.trusted_proxies = config.trusted_proxies;
  options.join_secret = config.join_secret;
  options.api_key = config.api_key;
  options.api_secret = config.api_secret;
  options.webhook_urls = config.webhook_urls;
  options.webhook_timeout = config.webhook_timeout;
  options.webhook_retry_for = config.webhook_retry_for;
  options.webhook_queue_size = config.webhook_queue_size;
  options.turn_secret = config.turn_secret;
  options.turn_credential_ttl = config.turn_credential_ttl;
  options.web_root = config.web_root;
  options.cluster.redis_url = config.redis_url;
  options.cluster.node_id = config.node_id;
  options.cluster.signaling_url = config.node_signaling_url;
  options.cluster.media_address = config.public_ip;
  options.cluster.heartbeat = config.cluster_heartbeat;
  options.cluster.node_ttl = config.cluster_node_ttl;
  options.cluster.drain_timeout = config.drain_timeout;
  options.version = std::string(version);
  return options;
}

}  // namespace rrtc::app
