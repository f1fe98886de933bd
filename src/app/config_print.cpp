#include "app/config_print.hpp"

#include <array>
#include <cstdio>

#include "cluster/redis_url.hpp"

namespace rrtc::app {
namespace {

constexpr std::string_view kMask = "****";

class TomlWriter {
 public:
  explicit TomlWriter(const PrintOptions& options) : options_(options) {}

  void value(std::string_view key, const std::string& text, std::string_view origin_key = {}) {
    out_ += key;
    out_ += " = ";
    out_ += text;
    if (options_.origins) {
      auto it = options_.origins->find(origin_key.empty() ? key : origin_key);
      if (it != options_.origins->end()) {
        out_ += "  # ";
        out_ += it->second.to_string();
      }
    }
    out_ += '\n';
  }
  void integer(std::string_view key, std::uint64_t number) { value(key, std::to_string(number)); }
  void string(std::string_view key, std::string_view text) { value(key, toml_string(text)); }
  void secret(std::string_view key, std::string_view text, std::string_view origin_key = {}) {
    bool mask = options_.mask_secrets && !text.empty();
    value(key, toml_string(mask ? kMask : text), origin_key);
  }
  void raw(std::string_view text) { out_ += text; }
  std::string take() { return std::move(out_); }

 private:
  const PrintOptions& options_;
  std::string out_;
};

std::string string_array(const std::vector<std::string>& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    text += i == 0 ? "" : ", ";
    text += toml_string(items[i]);
  }
  return text + "]";
}

}  // namespace

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          std::array<char, 8> escaped{};
          std::snprintf(escaped.data(), escaped.size(), "\\u%04X", byte);
          out += escaped.data();
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string print_config(const Config& c, const PrintOptions& options) {
  TomlWriter w(options);
  w.raw("# rrtc effective configuration\n");
  w.integer("signaling_port", c.signaling_port);
  w.string("listen_address", c.listen_address);
  w.integer("max_participants_per_room", c.max_participants_per_room);
  w.integer("max_rooms", c.max_rooms);
  w.integer("empty_room_grace_seconds", static_cast<std::uint64_t>(c.empty_room_grace.count()));
  w.integer("max_message_bytes", c.max_message_bytes);
  w.integer("max_messages_per_second", c.max_messages_per_second);
  w.integer("max_connections_per_ip", c.max_connections_per_ip);
  w.integer("send_queue_limit", c.send_queue_limit);
  w.integer("ping_interval_seconds", static_cast<std::uint64_t>(c.ping_interval.count()));
  w.integer("max_missed_pongs", c.max_missed_pongs);
  w.secret("join_secret", c.join_secret);
  w.string("web_root", c.web_root);
  w.integer("max_connections", c.max_connections);
  w.integer("max_participants", c.max_participants);
  w.integer("join_timeout_seconds", static_cast<std::uint64_t>(c.join_timeout.count()));
  w.integer("message_timeout_seconds", static_cast<std::uint64_t>(c.message_timeout.count()));
  w.integer("max_protocol_errors", c.max_protocol_errors);
  w.integer("protocol_error_window_seconds",
            static_cast<std::uint64_t>(c.protocol_error_window.count()));
  w.value("trusted_proxies", string_array(c.trusted_proxies));
  w.string("api_key", c.api_key);
  w.secret("api_secret", c.api_secret);
  w.value("webhook_urls", string_array(c.webhook_urls));
  w.integer("webhook_timeout_seconds", static_cast<std::uint64_t>(c.webhook_timeout.count()));
  w.integer("webhook_retry_seconds", static_cast<std::uint64_t>(c.webhook_retry_for.count()));
  w.integer("webhook_queue_size", c.webhook_queue_size);
  w.secret("turn_secret", c.turn_secret);
  w.integer("turn_credential_ttl_seconds",
            static_cast<std::uint64_t>(c.turn_credential_ttl.count()));
  // Only the password part of redis_url is secret: the host stays readable.
  w.value("redis_url", toml_string(options.mask_secrets ? rrtc::cluster::mask_redis_url(c.redis_url)
                                                        : c.redis_url));
  w.string("node_id", c.node_id);
  w.string("node_signaling_url", c.node_signaling_url);
  w.integer("cluster_heartbeat_seconds", static_cast<std::uint64_t>(c.cluster_heartbeat.count()));
  w.integer("cluster_node_ttl_seconds", static_cast<std::uint64_t>(c.cluster_node_ttl.count()));
  w.integer("drain_timeout_seconds", static_cast<std::uint64_t>(c.drain_timeout.count()));
  w.integer("rtc_min_port", c.rtc_min_port);
  w.integer("rtc_max_port", c.rtc_max_port);
  w.string("public_ip", c.public_ip);
  w.value("interfaces", string_array(c.interfaces));
  w.string("stun", c.stun);
  w.integer("workers", c.workers);
  w.integer("remb_max_bitrate", c.remb_max_bitrate);
  w.integer("connect_timeout_seconds", static_cast<std::uint64_t>(c.connect_timeout.count()));
  w.integer("max_track_packets_per_second", c.max_track_packets_per_second);
  w.integer("max_track_bitrate", c.max_track_bitrate);
  w.integer("max_data_messages_per_second", c.max_data_messages_per_second);
  w.integer("max_data_bytes_per_second", c.max_data_bytes_per_second);
  w.integer("retransmit_budget_percent", c.retransmit_budget_percent);
  w.integer("pacing_percent", c.pacing_percent);
  w.integer("spread_min_subscribers", c.spread_min_subscribers);
  w.string("io_uring", c.io_uring ? "auto" : "off");
  w.string("log_level", c.log_level);
  w.string("log_format", c.log_format == LogFormat::kJson ? "json" : "text");
  if (c.ice_servers.empty()) {
    w.raw("ice_servers = []\n");
  }
  if (c.turn) {
    w.raw("\n[turn]\n");
    w.value("url", toml_string(c.turn->url), "turn.url");
    w.value("username", toml_string(c.turn->username), "turn.username");
    w.secret("credential", c.turn->credential, "turn.credential");
    w.value("ice_transport_policy", toml_string(c.turn->relay_only ? "relay" : "all"),
            "turn.ice_transport_policy");
  } else {
    w.raw("# turn: not set\n");
  }
  for (const auto& server : c.ice_servers) {
    w.raw("\n[[ice_servers]]\n");
    w.value("urls", string_array(server.urls), "ice_servers");
    if (!server.username.empty()) {
      w.string("username", server.username);
    }
    if (!server.credential.empty()) {
      w.secret("credential", server.credential);
    }
  }
  return w.take();
}

}  // namespace rrtc::app
