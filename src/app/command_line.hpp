#pragma once
// The command line (Boost.Program_options):
//   rrtc [options] [config-file]
//   --help, --version, --config FILE, --port N, --listen ADDR, --log-level FILTER, --check-config,
//   --redis-url URL, --node-id ID, --node-signaling-url URL (cluster mode)
//   rrtc token --room R [--identity I] [--ttl 1h] [options] [config-file]
//   rrtc token --api [--ttl 1h] [options] [config-file]
// `token` prints a join token (join_secret) or an admin API token (api_key, api_secret) from the
// configuration loaded as for the server (docs/admin-api.md).
// The command line is the last and strongest source; its values are checked by ConfigBuilder
// like any other source's.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rrtc::app {

enum class Action { kRun, kHelp, kVersion, kCheckConfig, kToken };

// `rrtc token`: what to sign.
struct TokenOptions {
  bool api = false;                     // an admin token instead of a join token
  std::optional<std::string> room;      // join token: required
  std::optional<std::string> identity;  // join token: the participant id (`sub`)
  std::chrono::seconds ttl{3600};       // --ttl, default 1h
};

struct CommandLine {
  Action action = Action::kRun;
  std::optional<std::string> config_path;
  std::optional<std::string> port;
  std::optional<std::string> listen;
  std::optional<std::string> log_level;
  std::optional<std::string> redis_url;           // cluster mode (docs/cluster.md)
  std::optional<std::string> node_id;
  std::optional<std::string> node_signaling_url;
  std::optional<TokenOptions> token;  // set for Action::kToken
  std::string usage;                  // what --help prints
};

// A lifetime: a positive whole number with an optional unit, s (default), m, h or d ("90",
// "10m", "1h", "7d"), at most 365 days. nullopt for anything else.
std::optional<std::chrono::seconds> parse_ttl(std::string_view text);

// `args` is argv including the program name. Throws ConfigException (source "command line") on
// an unknown option, a missing argument or two different config files.
CommandLine parse_command_line(std::span<const char* const> args);

// PROJECT_VERSION from CMake.
std::string_view version();

}  // namespace rrtc::app
