#include "app/command_line.hpp"

#include <boost/program_options.hpp>
#include <cstdint>
#include <sstream>
#include <vector>

#include "app/config_builder.hpp"

#ifndef RRTC_VERSION
#error "RRTC_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace rrtc::app {
namespace po = boost::program_options;

namespace {

constexpr unsigned kUsageWidth = 100;

po::options_description make_options() {
  po::options_description options("Options", kUsageWidth);
  options.add_options()("help,h", "print this help and exit")("version,V",
                                                              "print the version and exit")(
      "config,c", po::value<std::string>()->value_name("FILE"),
      "configuration file, .toml or .json (also the first positional argument)")(
      "port,p", po::value<std::string>()->value_name("PORT"),
      "signaling port (HTTP + WebSocket); overrides signaling_port and SIGNALING_PORT")(
      "listen,l", po::value<std::string>()->value_name("ADDRESS"),
      "signaling listen address; overrides listen_address and LISTEN_ADDRESS")(
      "log-level", po::value<std::string>()->value_name("FILTER"),
      "log filter, e.g. info or info,ice=debug; overrides log_level and RRTC_LOG")(
      "redis-url", po::value<std::string>()->value_name("URL"),
      "cluster mode: redis://[[user]:password@]host[:port][/db]; overrides redis_url and "
      "REDIS_URL")(
      "node-id", po::value<std::string>()->value_name("ID"),
      "cluster node id; overrides node_id and NODE_ID")(
      "node-signaling-url", po::value<std::string>()->value_name("URL"),
      "ws:// or wss:// URL of this node; overrides node_signaling_url and NODE_SIGNALING_URL")(
      "check-config",
      "print the effective configuration (credentials masked) and exit; "
      "exit status 2 when it is invalid");
  return options;
}

po::options_description make_token_options() {
  po::options_description options("Options of rrtc token", kUsageWidth);
  options.add_options()("room", po::value<std::string>()->value_name("ROOM"),
                        "the room a join token admits to (required without --api)")(
      "identity", po::value<std::string>()->value_name("ID"),
      "the participant id a join token is for (sub); without it any id may use it")(
      "ttl", po::value<std::string>()->value_name("TTL"),
      "lifetime: 90, 90s, 10m, 1h or 7d (default 1h, at most 365d)")(
      "api", "an admin API bearer token (iss = api_key, signed with api_secret) instead");
  return options;
}

std::string usage_text(const po::options_description& options,
                       const po::options_description& token_options) {
  std::ostringstream out;
  out << "Usage: rrtc [options] [config-file]\n"
      << "       rrtc token --room ROOM [--identity ID] [--ttl TTL] [options] [config-file]\n"
      << "       rrtc token --api [--ttl TTL] [options] [config-file]\n"
      << "rrtc " << RRTC_VERSION << ": WebRTC selective forwarding unit.\n\n"
      << "Configuration sources, later wins: defaults < config file < .env in the working\n"
      << "directory < environment variables < command line. Keys and variables are listed in\n"
      << "config.example.toml, .env.example and README.md (Configuration).\n\n"
      << "rrtc token prints a join token signed with join_secret, or with --api a bearer\n"
      << "token for the admin API (docs/admin-api.md), from the same configuration sources;\n"
      << "exit status 2 when the secret it needs is not configured.\n\n"
      << options << "\n"
      << token_options;
  return out.str();
}

std::optional<std::string> value_of(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) {
    return std::nullopt;
  }
  return vm[name].as<std::string>();
}

[[noreturn]] void fail(const std::string& message) {
  ConfigBuilder::fail(Origin{"command line", std::nullopt}, "", message);
}

TokenOptions token_options_from(const po::variables_map& vm) {
  TokenOptions token;
  token.api = vm.count("api") != 0;
  token.room = value_of(vm, "room");
  token.identity = value_of(vm, "identity");
  if (auto ttl = value_of(vm, "ttl")) {
    auto seconds = parse_ttl(*ttl);
    if (!seconds) {
      fail("--ttl " + *ttl + ": expected a lifetime like 90, 90s, 10m, 1h or 7d (at most 365d)");
    }
    token.ttl = *seconds;
  }
  if (token.api && (token.room || token.identity)) {
    fail("rrtc token --api makes an admin token, which has no --room or --identity");
  }
  if (!token.api && !token.room) fail("rrtc token needs --room ROOM (or --api)");
  if (token.room && token.room->empty()) fail("--room must not be empty");
  if (token.identity && token.identity->empty()) fail("--identity must not be empty");
  return token;
}

}  // namespace

std::string_view version() { return RRTC_VERSION; }

std::optional<std::chrono::seconds> parse_ttl(std::string_view text) {
  constexpr std::int64_t kMaxSeconds = 365LL * 24 * 3600;
  std::int64_t unit = 1;  // no suffix: seconds
  if (!text.empty() && text.find_first_of("smhd", text.size() - 1) != std::string_view::npos) {
    unit = text.back() == 'm' ? 60 : text.back() == 'h' ? 3600 : text.back() == 'd' ? 86400 : 1;
    text.remove_suffix(1);
  }
  // At most 12 digits, so the product cannot overflow before the range check.
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != text.npos) {
    return std::nullopt;
  }
  std::int64_t seconds = std::stoll(std::string(text)) * unit;
  if (seconds <= 0 || seconds > kMaxSeconds) return std::nullopt;
  return std::chrono::seconds(seconds);
}

CommandLine parse_command_line(std::span<const char* const> args) {
  // `rrtc token ...`: the subcommand word goes, its own options come in.
  const bool token_command = args.size() >= 2 && std::string_view(args[1]) == "token";
  std::vector<const char*> rest;
  if (token_command) {
    rest.push_back(args[0]);
    rest.insert(rest.end(), args.begin() + 2, args.end());
    args = rest;
  }
  po::options_description options = make_options();
  po::options_description token_options = make_token_options();
  po::options_description hidden;
  hidden.add_options()("config-file", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  if (token_command) all.add(token_options);
  po::positional_options_description positional;
  positional.add("config-file", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(static_cast<int>(args.size()), args.data())
                  .options(all)
                  .positional(positional)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& error) {
    ConfigBuilder::fail(Origin{"command line", std::nullopt}, "", error.what());
  }

  CommandLine line;
  line.usage = usage_text(options, token_options);
  if (vm.count("help") != 0) {
    line.action = Action::kHelp;
  } else if (vm.count("version") != 0) {
    line.action = Action::kVersion;
  } else if (token_command) {
    line.action = Action::kToken;
    line.token = token_options_from(vm);
  } else if (vm.count("check-config") != 0) {
    line.action = Action::kCheckConfig;
  }
  line.config_path = value_of(vm, "config");
  if (vm.count("config-file") != 0) {
    const auto& files = vm["config-file"].as<std::vector<std::string>>();
    if (files.size() > 1) {
      ConfigBuilder::fail(Origin{"command line", std::nullopt}, "",
                          "expected one configuration file, got " + std::to_string(files.size()));
    }
    if (line.config_path && *line.config_path != files.front()) {
      ConfigBuilder::fail(Origin{"command line", std::nullopt}, "",
                          "expected one configuration file, got --config " + *line.config_path +
                              " and " + files.front());
    }
    line.config_path = files.front();
  }
  line.port = value_of(vm, "port");
  line.listen = value_of(vm, "listen");
  line.log_level = value_of(vm, "log-level");
  line.redis_url = value_of(vm, "redis-url");
  line.node_id = value_of(vm, "node-id");
  line.node_signaling_url = value_of(vm, "node-signaling-url");
  return line;
}

}  // namespace rrtc::app
