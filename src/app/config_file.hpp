#pragma once
// Config files: TOML (`.toml`) or JSON (`.json`) holding the keys of config.hpp at the top
// level, `[turn]` as a table and `[[ice_servers]]` as an array of tables. Unknown keys are
// warnings; a syntax error, a wrong type or a value out of range is a ConfigException naming the
// file, the line (TOML; JSON syntax errors too) and the key.

#include <filesystem>
#include <string>
#include <string_view>

#include "app/config_builder.hpp"

namespace rrtc::app {

enum class FileFormat { kToml, kJson };

inline constexpr std::size_t kMaxConfigFileBytes = 1024 * 1024;

// Applies the text of a config file; `source` names it in messages.
void apply_config_text(std::string_view text, FileFormat format, const std::string& source,
                       ConfigBuilder& builder);

// Reads `path` (relative paths are taken from `working_dir`; messages show it as given) and
// picks the format from its extension.
void apply_config_file(const std::string& path, const std::filesystem::path& working_dir,
                       ConfigBuilder& builder);

}  // namespace rrtc::app
