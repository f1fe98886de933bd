#pragma once
// The command line (Boost.Program_options):
//   rrtc [options] [config-file]
//   --help, --version, --config FILE, --port N, --listen ADDR, --log-level FILTER, --check-config
// The command line is the last and strongest source; its values are checked by ConfigBuilder
// like any other source's.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rrtc::app {

enum class Action { kRun, kHelp, kVersion, kCheckConfig };

struct CommandLine {
  Action action = Action::kRun;
  std::optional<std::string> config_path;
  std::optional<std::string> port;
  std::optional<std::string> listen;
  std::optional<std::string> log_level;
  std::string usage;  // what --help prints
};

// `args` is argv including the program name. Throws ConfigException (source "command line") on
// an unknown option, a missing argument or two different config files.
CommandLine parse_command_line(std::span<const char* const> args);

// PROJECT_VERSION from CMake.
std::string_view version();

}  // namespace rrtc::app
