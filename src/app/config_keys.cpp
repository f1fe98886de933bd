#include "app/config_keys.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "app/logging.hpp"
#include "cluster/envelope.hpp"
#include "cluster/redis_url.hpp"
#include "signaling/webhook_event.hpp"

namespace rrtc::app {
namespace {

constexpr std::size_t kMaxQuoted = 64;
constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

std::optional<std::string> check_address(std::string_view text) {
  if (is_ip_address(text)) {
    return std::nullopt;
  }
  return "expected an IPv4 or IPv6 address, got " + display_quoted(text);
}

std::optional<std::string> check_optional_address(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  return check_address(text);
}

// A URL of one of the given schemes with something after the colon and no white space.
std::optional<std::string> check_url(std::string_view text,
                                     std::span<const std::string_view> schemes,
                                     std::string_view expected) {
  for (std::string_view scheme : schemes) {
    if (text.size() > scheme.size() && text.substr(0, scheme.size()) == scheme &&
        std::none_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
      return std::nullopt;
    }
  }
  return "expected " + std::string(expected) + ", got " + display_quoted(text);
}

std::optional<std::string> check_stun_url(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 2> kSchemes{"stun:", "stuns:"};
  return check_url(text, kSchemes, "a stun: or stuns: URL");
}

std::optional<std::string> check_turn_url(std::string_view text) {
  static constexpr std::array<std::string_view, 2> kSchemes{"turn:", "turns:"};
  return check_url(text, kSchemes, "a turn: or turns: URL");
}

std::optional<std::string> check_webhook_url(std::string_view text) {
  static constexpr std::array<std::string_view, 2> kSchemes{"http://", "https://"};
  if (auto error = check_url(text, kSchemes, "an http:// or https:// URL")) return error;
  // What the webhook client can use (docs/webhooks.md): a host, a port in 1-65535.
  if (!rrtc::signaling::parse_webhook_url(text)) {
    return "expected http(s)://host[:port][/path] (a host, a port 1-65535, no user@ or #), got " +
           display_quoted(text);
  }
  return std::nullopt;
}

// The message shows the URL with its password masked: errors go to logs.
std::optional<std::string> check_redis_url(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto parsed = rrtc::cluster::parse_redis_url(text);
  if (const auto* error = std::get_if<rrtc::cluster::RedisUrlError>(&parsed)) {
    return error->reason + ", got " + display_quoted(rrtc::cluster::mask_redis_url(text));
  }
  return std::nullopt;
}

// Node ids travel in Redis keys and in the bus envelope's header (cluster/envelope.hpp).
std::optional<std::string> check_node_id(std::string_view text) {
  if (text.empty() || rrtc::cluster::is_envelope_id(text)) return std::nullopt;
  return "expected 1-64 characters of A-Z a-z 0-9 . _ : -, got " + display_quoted(text);
}

std::optional<std::string> check_node_signaling_url(std::string_view text) {
  if (text.empty()) return std::nullopt;
  static constexpr std::array<std::string_view, 2> kSchemes{"ws://", "wss://"};
  return check_url(text, kSchemes, "a ws:// or wss:// URL");
}

std::optional<std::string> check_ice_transport_policy(std::string_view text) {
  if (text == "all" || text == "relay") {
    return std::nullopt;
  }
  return "expected \"all\" or \"relay\", got " + display_quoted(text);
}

std::optional<std::string> check_interface(std::string_view text) {
  if (is_ip_address(text)) {
    return std::nullopt;
  }
  bool name_like = !text.empty() && text.size() <= kMaxInterfaceName &&
                   std::all_of(text.begin(), text.end(), [](char c) {
                     return static_cast<unsigned char>(c) > ' ' && c != '/' && c != ':' &&
                            static_cast<unsigned char>(c) < 0x7f;
                   });
  if (name_like) {
    return std::nullopt;
  }
  return "expected an interface name or an IP address, got " + display_quoted(text);
}

std::optional<std::string> check_log_level(std::string_view text) {
  LogFilterProblem problem;
  if (parse_log_filter(text, &problem)) {
    return std::nullopt;
  }
  return describe(problem);
}

std::optional<std::string> check_log_format(std::string_view text) {
  if (text == "text" || text == "json") {
    return std::nullopt;
  }
  return "expected \"text\" or \"json\", got " + display_quoted(text);
}

// "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128).
std::optional<std::string> check_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  const std::string expected = "expected an IP address or CIDR (\"10.0.0.0/8\"), got " +
                               display_quoted(text);
  if (!is_ip_address(address)) return expected;
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view bits = text.substr(slash + 1);
  const unsigned max_bits = address.find(':') == std::string_view::npos ? 32 : 128;
  if (bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return expected;
  }
  if (static_cast<unsigned>(std::stoul(std::string(bits))) > max_bits) return expected;
  return std::nullopt;
}

std::optional<std::string> check_io_uring(std::string_view text) {
  if (text == "auto" || text == "off") {
    return std::nullopt;
  }
  return "expected \"auto\" or \"off\", got " + display_quoted(text);
}

TurnConfig& turn_of(Config& config) {
  if (!config.turn) {
    config.turn.emplace();
  }
  return *config.turn;
}

constexpr std::int64_t kMaxPort = 65535;

// Ranges are what makes sense for a single server, wide enough never to get in the way.
const std::array kKeys{
    KeySpec{
        .name = "signaling_port",
        .env = "SIGNALING_PORT",
        .type = KeyType::kInteger,
        .min = 0,
        .max = kMaxPort,
        .set_integer = [](Config& c,
                          std::int64_t v) { c.signaling_port = static_cast<std::uint16_t>(v); }},
    KeySpec{.name = "listen_address",
            .env = "LISTEN_ADDRESS",
            .check = check_address,
            .set_string = [](Config& c, std::string v) { c.listen_address = std::move(v); }},
    KeySpec{.name = "max_participants_per_room",
            .env = "MAX_PARTICIPANTS_PER_ROOM",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 10000,
            .set_integer =
                [](Config& c, std::int64_t v) {
                  c.max_participants_per_room = static_cast<std::size_t>(v);
                }},
    KeySpec{.name = "max_rooms",
            .env = "MAX_ROOMS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 1000000,
            .set_integer = [](Config& c,
                              std::int64_t v) { c.max_rooms = static_cast<std::size_t>(v); }},
    KeySpec{.name = "empty_room_grace_seconds",
            .env = "EMPTY_ROOM_GRACE_SECONDS",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 86400,
            .set_integer = [](Config& c,
                              std::int64_t v) { c.empty_room_grace = std::chrono::seconds(v); }},
    KeySpec{
        .name = "max_message_bytes",
        .env = "MAX_MESSAGE_BYTES",
        .type = KeyType::kInteger,
        .min = 1024,
        .max = 16 * 1024 * 1024,
        .set_integer = [](Config& c,
                          std::int64_t v) { c.max_message_bytes = static_cast<std::size_t>(v); }},
    KeySpec{.name = "max_messages_per_second",
            .env = "MAX_MESSAGES_PER_SECOND",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 100000,
            .set_integer =
                [](Config& c, std::int64_t v) {
                  c.max_messages_per_second = static_cast<std::size_t>(v);
                }},
    KeySpec{.name = "max_connections_per_ip",
            .env = "MAX_CONNECTIONS_PER_IP",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 100000,
            .set_integer =
                [](Config& c, std::int64_t v) {
                  c.max_connections_per_ip = static_cast<std::size_t>(v);
                }},
    KeySpec{
        .name = "send_queue_limit",
        .env = "SEND_QUEUE_LIMIT",
        .type = KeyType::kInteger,
        .min = 1,
        .max = 1000000,
        .set_integer = [](Config& c,
                          std::int64_t v) { c.send_queue_limit = static_cast<std::size_t>(v); }},
    KeySpec{.name = "ping_interval_seconds",
            .env = "PING_INTERVAL_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 3600,
            .set_integer = [](Config& c,
                              std::int64_t v) { c.ping_interval = std::chrono::seconds(v); }},
    KeySpec{
        .name = "max_missed_pongs",
        .env = "MAX_MISSED_PONGS",
        .type = KeyType::kInteger,
        .min = 1,
        .max = 100,
        .set_integer = [](Config& c,
                          std::int64_t v) { c.max_missed_pongs = static_cast<std::uint32_t>(v); }},
    KeySpec{.name = "join_secret",
            .env = "JOIN_SECRET",
            .secret = true,
            .set_string = [](Config& c, std::string v) { c.join_secret = std::move(v); }},
    KeySpec{.name = "web_root",
            .env = "WEB_ROOT",
            .set_string = [](Config& c, std::string v) { c.web_root = std::move(v); }},
    KeySpec{.name = "max_connections",
            .env = "MAX_CONNECTIONS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 1000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_connections = static_cast<std::size_t>(v); }},
    KeySpec{.name = "max_participants",
            .env = "MAX_PARTICIPANTS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 1000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_participants = static_cast<std::size_t>(v); }},
    KeySpec{.name = "join_timeout_seconds",
            .env = "JOIN_TIMEOUT_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 3600,
            .set_integer = [](Config& c, std::int64_t v) { c.join_timeout = std::chrono::seconds(v); }},
    KeySpec{.name = "message_timeout_seconds",
            .env = "MESSAGE_TIMEOUT_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 3600,
            .set_integer = [](Config& c, std::int64_t v) { c.message_timeout = std::chrono::seconds(v); }},
    KeySpec{.name = "max_protocol_errors",
            .env = "MAX_PROTOCOL_ERRORS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 10000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_protocol_errors = static_cast<std::uint32_t>(v); }},
    KeySpec{.name = "protocol_error_window_seconds",
            .env = "PROTOCOL_ERROR_WINDOW_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 86400,
            .set_integer = [](Config& c, std::int64_t v) { c.protocol_error_window = std::chrono::seconds(v); }},
    KeySpec{.name = "trusted_proxies",
            .env = "TRUSTED_PROXIES",
            .type = KeyType::kStringList,
            .check = check_cidr,
            .set_list =
                [](Config& c, std::vector<std::string> v) { c.trusted_proxies = std::move(v); }},
    KeySpec{.name = "api_key",
            .env = "API_KEY",
            .set_string = [](Config& c, std::string v) { c.api_key = std::move(v); }},
    KeySpec{.name = "api_secret",
            .env = "API_SECRET",
            .secret = true,
            .set_string = [](Config& c, std::string v) { c.api_secret = std::move(v); }},
    KeySpec{.name = "webhook_urls",
            .env = "WEBHOOK_URLS",
            .type = KeyType::kStringList,
            .check = check_webhook_url,
            .set_list = [](Config& c, std::vector<std::string> v) { c.webhook_urls = std::move(v); }},
    KeySpec{.name = "webhook_timeout_seconds",
            .env = "WEBHOOK_TIMEOUT_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 300,
            .set_integer = [](Config& c, std::int64_t v) { c.webhook_timeout = std::chrono::seconds(v); }},
    KeySpec{.name = "webhook_retry_seconds",
            .env = "WEBHOOK_RETRY_SECONDS",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 86400,
            .set_integer = [](Config& c, std::int64_t v) { c.webhook_retry_for = std::chrono::seconds(v); }},
    KeySpec{.name = "webhook_queue_size",
            .env = "WEBHOOK_QUEUE_SIZE",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 1000000,
            .set_integer = [](Config& c, std::int64_t v) { c.webhook_queue_size = static_cast<std::size_t>(v); }},
    KeySpec{.name = "turn_secret",
            .env = "TURN_SECRET",
            .secret = true,
            .set_string = [](Config& c, std::string v) { c.turn_secret = std::move(v); }},
    KeySpec{.name = "turn_credential_ttl_seconds",
            .env = "TURN_CREDENTIAL_TTL_SECONDS",
            .type = KeyType::kInteger,
            .min = 60,
            .max = 2592000,
            .set_integer = [](Config& c, std::int64_t v) { c.turn_credential_ttl = std::chrono::seconds(v); }},
    KeySpec{.name = "redis_url",
            .env = "REDIS_URL",
            .check = check_redis_url,
            .set_string = [](Config& c, std::string v) { c.redis_url = std::move(v); }},
    KeySpec{.name = "node_id",
            .env = "NODE_ID",
            .check = check_node_id,
            .set_string = [](Config& c, std::string v) { c.node_id = std::move(v); }},
    KeySpec{.name = "node_signaling_url",
            .env = "NODE_SIGNALING_URL",
            .check = check_node_signaling_url,
            .set_string = [](Config& c, std::string v) { c.node_signaling_url = std::move(v); }},
    KeySpec{.name = "cluster_heartbeat_seconds",
            .env = "CLUSTER_HEARTBEAT_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 60,
            .set_integer = [](Config& c, std::int64_t v) { c.cluster_heartbeat = std::chrono::seconds(v); }},
    KeySpec{.name = "cluster_node_ttl_seconds",
            .env = "CLUSTER_NODE_TTL_SECONDS",
            .type = KeyType::kInteger,
            .min = 2,
            .max = 600,
            .set_integer = [](Config& c, std::int64_t v) { c.cluster_node_ttl = std::chrono::seconds(v); }},
    KeySpec{.name = "drain_timeout_seconds",
            .env = "DRAIN_TIMEOUT_SECONDS",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 86400,
            .set_integer = [](Config& c, std::int64_t v) { c.drain_timeout = std::chrono::seconds(v); }},
    KeySpec{.name = "rtc_min_port",
            .env = "RTC_MIN_PORT",
            .type = KeyType::kInteger,
            .min = 1,
            .max = kMaxPort,
            .set_integer = [](Config& c,
                              std::int64_t v) { c.rtc_min_port = static_cast<std::uint16_t>(v); }},
    KeySpec{.name = "rtc_max_port",
            .env = "RTC_MAX_PORT",
            .type = KeyType::kInteger,
            .min = 1,
            .max = kMaxPort,
            .set_integer = [](Config& c,
                              std::int64_t v) { c.rtc_max_port = static_cast<std::uint16_t>(v); }},
    KeySpec{.name = "public_ip",
            .env = "PUBLIC_IP",
            .check = check_optional_address,
            .set_string = [](Config& c, std::string v) { c.public_ip = std::move(v); }},
    KeySpec{.name = "interfaces",
            .env = "RTC_INTERFACES",
            .type = KeyType::kStringList,
            .check = check_interface,
            .set_list = [](Config& c, std::vector<std::string> v) { c.interfaces = std::move(v); }},
    KeySpec{.name = "turn.url",
            .env = "TURN_URL",
            .check = check_turn_url,
            .set_string = [](Config& c, std::string v) { turn_of(c).url = std::move(v); }},
    KeySpec{.name = "turn.username",
            .env = "TURN_USERNAME",
            .set_string = [](Config& c, std::string v) { turn_of(c).username = std::move(v); }},
    KeySpec{.name = "turn.credential",
            .env = "TURN_CREDENTIAL",
            .secret = true,
            .set_string = [](Config& c, std::string v) { turn_of(c).credential = std::move(v); }},
    KeySpec{.name = "turn.ice_transport_policy",
            .env = "TURN_ICE_TRANSPORT_POLICY",
            .check = check_ice_transport_policy,
            .set_string = [](Config& c, std::string v) { turn_of(c).relay_only = v == "relay"; }},
    KeySpec{.name = "stun",
            .env = "STUN_URL",
            .check = check_stun_url,
            .set_string = [](Config& c, std::string v) { c.stun = std::move(v); }},
    KeySpec{.name = "workers",
            .env = "WORKERS",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 1024,
            .set_integer = [](Config& c, std::int64_t v) { c.workers = static_cast<unsigned>(v); }},
    KeySpec{
        .name = "remb_max_bitrate",
        .env = "REMB_MAX_BITRATE",
        .type = KeyType::kInteger,
        .min = 10000,
        .max = 10000000000,
        .set_integer = [](Config& c,
                          std::int64_t v) { c.remb_max_bitrate = static_cast<std::uint64_t>(v); }},
    KeySpec{.name = "connect_timeout_seconds",
            .env = "CONNECT_TIMEOUT_SECONDS",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 3600,
            .set_integer = [](Config& c, std::int64_t v) { c.connect_timeout = std::chrono::seconds(v); }},
    KeySpec{.name = "max_track_packets_per_second",
            .env = "MAX_TRACK_PACKETS_PER_SECOND",
            .type = KeyType::kInteger,
            .min = 10,
            .max = 10000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_track_packets_per_second = static_cast<std::uint64_t>(v); }},
    KeySpec{.name = "max_track_bitrate",
            .env = "MAX_TRACK_BITRATE",
            .type = KeyType::kInteger,
            .min = 10000,
            .max = 100000000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_track_bitrate = static_cast<std::uint64_t>(v); }},
    KeySpec{.name = "max_data_messages_per_second",
            .env = "MAX_DATA_MESSAGES_PER_SECOND",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 10000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_data_messages_per_second = static_cast<std::uint64_t>(v); }},
    KeySpec{.name = "max_data_bytes_per_second",
            .env = "MAX_DATA_BYTES_PER_SECOND",
            .type = KeyType::kInteger,
            .min = 1024,
            .max = 100000000000,
            .set_integer = [](Config& c, std::int64_t v) { c.max_data_bytes_per_second = static_cast<std::uint64_t>(v); }},
    KeySpec{.name = "retransmit_budget_percent",
            .env = "RETRANSMIT_BUDGET_PERCENT",
            .type = KeyType::kInteger,
            .min = 1,
            .max = 1000,
            .set_integer = [](Config& c, std::int64_t v) { c.retransmit_budget_percent = static_cast<std::uint32_t>(v); }},
    KeySpec{.name = "pacing_percent",
            .env = "PACING_PERCENT",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 1000,
            .set_integer = [](Config& c, std::int64_t v) { c.pacing_percent = static_cast<std::uint32_t>(v); }},
    KeySpec{.name = "spread_min_subscribers",
            .env = "SPREAD_MIN_SUBSCRIBERS",
            .type = KeyType::kInteger,
            .min = 0,
            .max = 1000000,
            .set_integer = [](Config& c, std::int64_t v) { c.spread_min_subscribers = static_cast<std::size_t>(v); }},
    KeySpec{.name = "io_uring",
            .env = "IO_URING",
            .check = check_io_uring,
            .set_string = [](Config& c, std::string v) { c.io_uring = v != "off"; }},
    KeySpec{.name = "log_level",
            .env = "RRTC_LOG",
            .check = check_log_level,
            .set_string = [](Config& c, std::string v) { c.log_level = std::move(v); }},
    KeySpec{.name = "log_format",
            .env = "LOG_FORMAT",
            .check = check_log_format,
            .set_string =
                [](Config& c, std::string v) {
                  c.log_format = v == "json" ? LogFormat::kJson : LogFormat::kText;
                }},
};

}  // namespace

std::span<const KeySpec> config_keys() { return kKeys; }

const KeySpec* find_key(std::string_view name) {
  auto it =
      std::find_if(kKeys.begin(), kKeys.end(), [&](const KeySpec& k) { return k.name == name; });
  return it == kKeys.end() ? nullptr : &*it;
}

const KeySpec* find_env_variable(std::string_view env) {
  auto it =
      std::find_if(kKeys.begin(), kKeys.end(), [&](const KeySpec& k) { return k.env == env; });
  return it == kKeys.end() ? nullptr : &*it;
}

bool is_ip_address(std::string_view text) {
  std::string copy(text);  // inet_pton needs a terminated string; text may hold a NUL
  if (copy.size() != std::char_traits<char>::length(copy.c_str())) {
    return false;
  }
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET, copy.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), buffer.data()) == 1;
}

std::optional<std::string> check_ice_url(std::string_view url) {
  static constexpr std::array<std::string_view, 4> kSchemes{"stun:", "stuns:", "turn:", "turns:"};
  return check_url(url, kSchemes, "a stun:, stuns:, turn: or turns: URL");
}

std::string display_quoted(std::string_view text) {
  std::string out = "\"";
  std::size_t count = 0;
  for (char c : text) {
    if (++count > kMaxQuoted) {
      out += "...";
      break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\u%04x", byte);
      out += escaped.data();
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace rrtc::app
