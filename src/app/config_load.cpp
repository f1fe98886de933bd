#include "app/config_load.hpp"

#include "app/config_file.hpp"
#include "app/config_validate.hpp"

namespace rrtc::app {
namespace {

void apply_command_line(const CommandLine& line, ConfigBuilder& builder) {
  auto apply = [&](const std::optional<std::string>& value, std::string_view key,
                   const char* option) {
    if (value) {
      builder.set_text(*find_key(key), *value,
                       Origin{std::string("command line ") + option, std::nullopt});
    }
  };
  apply(line.port, "signaling_port", "--port");
  apply(line.listen, "listen_address", "--listen");
  apply(line.log_level, "log_level", "--log-level");
  apply(line.redis_url, "redis_url", "--redis-url");
  apply(line.node_id, "node_id", "--node-id");
  apply(line.node_signaling_url, "node_signaling_url", "--node-signaling-url");
}

}  // namespace

LoadResult load_config(std::span<const char* const> args, const Environment& env,
                       const std::filesystem::path& working_dir) {
  try {
    CommandLine line = parse_command_line(args);
    LoadedConfig loaded;
    loaded.action = line.action;
    loaded.usage = line.usage;
    loaded.token = line.token;
    if (line.action == Action::kHelp || line.action == Action::kVersion) {
      return loaded;
    }
    ConfigBuilder builder;
    if (line.config_path) {
      apply_config_file(*line.config_path, working_dir, builder);
    }
    std::string dotenv_source;
    auto dotenv = read_dotenv(working_dir, &dotenv_source);
    apply_environment(dotenv, dotenv_source, env, builder);
    apply_command_line(line, builder);
    validate_config(builder, working_dir);
    loaded.config = std::move(builder.config());
    loaded.origins = builder.origins();
    loaded.warnings = std::move(builder.warnings());
    return loaded;
  } catch (const ConfigException& exception) {
    return exception.error();
  }
}

}  // namespace rrtc::app
