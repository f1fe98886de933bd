#pragma once
// Loads the configuration from every source, later wins:
//   embedded defaults < config file < `.env` in the working directory < environment < command line
// The environment and working directory are parameters, so tests never touch the real ones.

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "app/command_line.hpp"
#include "app/config.hpp"
#include "app/config_builder.hpp"
#include "app/config_env.hpp"
#include "app/config_error.hpp"

namespace rrtc::app {

struct LoadedConfig {
  Action action = Action::kRun;
  std::string usage;  // --help text
  Config config;      // defaults only for kHelp and kVersion: no source is read then
  Origins origins;    // key -> where its value came from; absent = default
  std::vector<ConfigWarning> warnings;
  std::optional<TokenOptions> token;  // Action::kToken: what to sign
};

using LoadResult = std::variant<LoadedConfig, ConfigError>;

// `args` is argv including the program name. Never throws ConfigException: a bad source gives
// the ConfigError instead.
LoadResult load_config(std::span<const char* const> args, const Environment& env,
                       const std::filesystem::path& working_dir);

}  // namespace rrtc::app
