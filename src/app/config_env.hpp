#pragma once
// Environment variables and the `.env` file of the working directory. `.env` holds the same
// variables as the environment and loses to it. Variables: the `env` column of config_keys.cpp.
// TURN_URL (with TURN_USERNAME / TURN_CREDENTIAL) and STUN_URL also add an entry to ice_servers,
// so clients use the same servers as rrtc.
//
// .env syntax, one variable a line:
//   NAME=value            value trimmed; " #" starts a comment
//   export NAME=value     `export ` is allowed and ignored
//   NAME="a \"b\" \n"     double quotes: \n \r \t \" \\ escapes
//   NAME='a "b" $c'       single quotes: taken literally
//   # comment             blank lines and comments are skipped
// No variable expansion. A malformed line is an error naming the file and line. An empty value,
// there or in the environment, counts as unset (compose files often pass `X: ${X:-}`).

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/config_builder.hpp"

namespace rrtc::app {

using Environment = std::map<std::string, std::string, std::less<>>;

struct DotenvEntry {
  std::string name;
  std::string value;
  std::size_t line = 0;

  bool operator==(const DotenvEntry&) const = default;
};

// Throws ConfigException naming `source` and the line of the first malformed line.
std::vector<DotenvEntry> parse_dotenv(std::string_view text, const std::string& source);

// Reads `working_dir/.env`; none when the file does not exist.
std::vector<DotenvEntry> read_dotenv(const std::filesystem::path& working_dir, std::string* source);

// Applies `.env` (unknown variables are warnings) and then `env` (unknown ones are ignored: the
// environment holds much else).
void apply_environment(const std::vector<DotenvEntry>& dotenv, const std::string& dotenv_source,
                       const Environment& env, ConfigBuilder& builder);

// The process environment as a map (envp as main's third argument or `environ`).
Environment environment_from(const char* const* envp);

}  // namespace rrtc::app
