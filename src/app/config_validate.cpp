#include "app/config_validate.hpp"

#include <algorithm>
#include <string>

#include "app/logging.hpp"

namespace rrtc::app {
namespace {

// HS256 keys shorter than the hash output (RFC 7518 section 3.2 requires 256 bits).
constexpr std::size_t kMinJoinSecretBytes = 32;

void check_port_range(ConfigBuilder& builder) {
  const Config& config = builder.config();
  if (config.rtc_min_port <= config.rtc_max_port) {
    return;
  }
  // Blame the key the user set last; when only one was set, that one.
  bool max_set = builder.origins().count("rtc_max_port") != 0;
  const char* key = max_set ? "rtc_max_port" : "rtc_min_port";
  ConfigBuilder::fail(builder.origin_of(key), key,
                      "expected rtc_min_port <= rtc_max_port, got " +
                          std::to_string(config.rtc_min_port) + " > " +
                          std::to_string(config.rtc_max_port));
}

void check_turn(ConfigBuilder& builder) {
  const auto& turn = builder.config().turn;
  if (!turn) {
    return;
  }
  if (turn->url.empty()) {
    const auto& origins = builder.origins();
    if (origins.count("turn.username") == 0 && origins.count("turn.credential") == 0) {
      ConfigBuilder::fail(builder.origin_of("turn.ice_transport_policy"), "turn.url",
                          "expected a turn: or turns: URL when turn.ice_transport_policy is set");
    }
    const char* key = origins.count("turn.username") ? "turn.username" : "turn.credential";
    ConfigBuilder::fail(
        builder.origin_of(key), "turn.url",
        "expected a turn: or turns: URL when turn.username or turn.credential is set");
  }
  // libnice allocates relays only with long-term credentials: configured, or (turn_secret, both
  // unset) minted for each Peer by the media layer.
  const bool minted =
      !builder.config().turn_secret.empty() && turn->username.empty() && turn->credential.empty();
  if (!minted && (turn->username.empty() || turn->credential.empty())) {
    ConfigBuilder::fail(builder.origin_of("turn.url"), "turn",
                        "expected turn.username and turn.credential with turn.url (or neither, "
                        "with turn_secret)");
  }
}

// Browsers refuse a TURN server without both username and credential (RTCPeerConnection throws
// InvalidAccessError): an entry needs both, or neither with turn_secret (each `joined` then
// carries credentials minted for its participant). Checked here, not while reading the file,
// because turn_secret may come from any source.
void check_ice_servers(ConfigBuilder& builder) {
  const Config& config = builder.config();
  for (std::size_t i = 0; i < config.ice_servers.size(); ++i) {
    const auto& server = config.ice_servers[i];
    const bool turn = std::any_of(server.urls.begin(), server.urls.end(), [](const auto& url) {
      return url.rfind("turn:", 0) == 0 || url.rfind("turns:", 0) == 0;
    });
    if (!turn || (!server.username.empty() && !server.credential.empty())) continue;
    if (server.username.empty() && server.credential.empty() && !config.turn_secret.empty()) {
      continue;
    }
    ConfigBuilder::fail(builder.origin_of("ice_servers"), "ice_servers[" + std::to_string(i) + "]",
                        "a turn: or turns: URL needs username and credential (or neither, with "
                        "turn_secret)");
  }
}

// The admin API needs both halves of its credentials; webhooks are signed with the secret.
void check_api(ConfigBuilder& builder) {
  const Config& config = builder.config();
  if (!config.api_secret.empty() && config.api_key.empty()) {
    ConfigBuilder::fail(builder.origin_of("api_secret"), "api_key",
                        "expected an api_key with api_secret (admin tokens carry it as iss)");
  }
  if (!config.api_key.empty() && config.api_secret.empty()) {
    ConfigBuilder::fail(builder.origin_of("api_key"), "api_secret",
                        "expected an api_secret with api_key");
  }
  if (!config.webhook_urls.empty() && config.api_secret.empty()) {
    ConfigBuilder::fail(builder.origin_of("webhook_urls"), "api_secret",
                        "expected an api_secret with webhook_urls (it signs every event)");
  }
  if (!config.api_secret.empty() && config.api_secret.size() < kMinJoinSecretBytes) {
    builder.warn(builder.origin_of("api_secret"), "api_secret",
                 "shorter than 32 bytes: weak for HS256");
  }
}

// A node must be declared dead well after a missed heartbeat or two, not between two of them.
void check_cluster(ConfigBuilder& builder) {
  const Config& config = builder.config();
  if (config.cluster_node_ttl < 2 * config.cluster_heartbeat) {
    const bool ttl_set = builder.origins().count("cluster_node_ttl_seconds") != 0;
    const char* key = ttl_set ? "cluster_node_ttl_seconds" : "cluster_heartbeat_seconds";
    ConfigBuilder::fail(builder.origin_of(key), key,
                        "expected cluster_node_ttl_seconds >= 2 * cluster_heartbeat_seconds, got " +
                            std::to_string(config.cluster_node_ttl.count()) + " < 2 * " +
                            std::to_string(config.cluster_heartbeat.count()));
  }
  if (!config.redis_url.empty()) return;
  // Only values other than the defaults: --check-config prints every key, and its output must
  // load again without warnings.
  const Config defaults;
  const std::pair<const char*, bool> changed[] = {
      {"node_id", !config.node_id.empty()},
      {"node_signaling_url", !config.node_signaling_url.empty()},
      {"cluster_heartbeat_seconds", config.cluster_heartbeat != defaults.cluster_heartbeat},
      {"cluster_node_ttl_seconds", config.cluster_node_ttl != defaults.cluster_node_ttl},
      {"drain_timeout_seconds", config.drain_timeout != defaults.drain_timeout},
  };
  for (const auto& [key, is_changed] : changed) {
    if (is_changed) builder.warn(builder.origin_of(key), key, "has no effect without redis_url");
  }
}

void check_web_root(ConfigBuilder& builder, const std::filesystem::path& working_dir) {
  std::string& web_root = builder.config().web_root;
  if (web_root.empty()) {
    return;
  }
  std::filesystem::path path = (working_dir / web_root).lexically_normal();
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    ConfigBuilder::fail(builder.origin_of("web_root"), "web_root",
                        "expected a directory, got " + display_quoted(web_root));
  }
  if (!path.has_filename() && path.has_relative_path()) {
    path = path.parent_path();  // "dir/" after normalizing "dir/."
  }
  web_root = path.string();
}

void warn_about_log_filter(ConfigBuilder& builder) {
  auto filter = parse_log_filter(builder.config().log_level);
  if (!filter) {
    return;  // every source checked it already
  }
  auto known = known_loggers();
  for (const auto& [name, level] : filter->loggers) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (auto logger : known) {
        list += list.empty() ? "" : ", ";
        list += logger;
      }
      builder.warn(builder.origin_of("log_level"), "log_level",
                   "no logger named \"" + name + "\" (known: " + list + ")");
    }
  }
}

}  // namespace

void validate_config(ConfigBuilder& builder, const std::filesystem::path& working_dir) {
  check_port_range(builder);
  check_turn(builder);
  check_ice_servers(builder);
  check_api(builder);
  check_cluster(builder);
  check_web_root(builder, working_dir);
  warn_about_log_filter(builder);
  const Config& config = builder.config();
  if (!config.join_secret.empty() && config.join_secret.size() < kMinJoinSecretBytes) {
    builder.warn(builder.origin_of("join_secret"), "join_secret",
                 "shorter than 32 bytes: weak for HS256");
  }
}

}  // namespace rrtc::app
