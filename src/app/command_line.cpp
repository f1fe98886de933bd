#include "app/command_line.hpp"

#include <boost/program_options.hpp>
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
      "check-config",
      "print the effective configuration (credentials masked) and exit; "
      "exit status 2 when it is invalid");
  return options;
}

std::string usage_text(const po::options_description& options) {
  std::ostringstream out;
  out << "Usage: rrtc [options] [config-file]\n"
      << "rrtc " << RRTC_VERSION << ": WebRTC selective forwarding unit.\n\n"
      << "Configuration sources, later wins: defaults < config file < .env in the working\n"
      << "directory < environment variables < command line. Keys and variables are listed in\n"
      << "config.example.toml, .env.example and README.md (Configuration).\n\n"
      << options;
  return out.str();
}

std::optional<std::string> value_of(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) {
    return std::nullopt;
  }
  return vm[name].as<std::string>();
}

}  // namespace

std::string_view version() { return RRTC_VERSION; }

CommandLine parse_command_line(std::span<const char* const> args) {
  po::options_description options = make_options();
  po::options_description hidden;
  hidden.add_options()("config-file", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
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
  line.usage = usage_text(options);
  if (vm.count("help") != 0) {
    line.action = Action::kHelp;
  } else if (vm.count("version") != 0) {
    line.action = Action::kVersion;
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
  return line;
}

}  // namespace rrtc::app
