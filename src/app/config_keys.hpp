#pragma once
// The table of configuration keys: name, environment variable, type, accepted range and how a
// value lands in Config. Every source (file, .env, environment, command line) goes through this
// one table, so a key is parsed, range-checked and reported the same way wherever it came from.
// `ice_servers` is not in the table: it is a list of tables, read by config_file.cpp only.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"

namespace rrtc::app {

enum class KeyType { kInteger, kString, kStringList };

struct KeySpec {
  std::string_view name;  // "signaling_port", or "turn.url" for a key inside the [turn] table
  std::string_view env;   // environment variable; empty = none
  KeyType type = KeyType::kString;
  std::int64_t min = 0;  // kInteger only
  std::int64_t max = 0;
  bool secret = false;  // masked by --check-config
  void (*set_integer)(Config&, std::int64_t) = nullptr;
  // kString / kStringList (per element): what is wrong with the text, or nullopt when it is fine.
  std::optional<std::string> (*check)(std::string_view) = nullptr;
  void (*set_string)(Config&, std::string) = nullptr;
  void (*set_list)(Config&, std::vector<std::string>) = nullptr;
};

std::span<const KeySpec> config_keys();
const KeySpec* find_key(std::string_view name);
const KeySpec* find_env_variable(std::string_view env);

// Checks shared with ice_servers parsing and validation.
bool is_ip_address(std::string_view text);
std::optional<std::string> check_ice_url(std::string_view url);

// `"text"` with JSON-style escapes, cut after 64 characters: safe to put in one log line.
std::string display_quoted(std::string_view text);

}  // namespace rrtc::app
