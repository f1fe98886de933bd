#pragma once
// Accumulates the configuration as the sources are applied in order, later ones overwriting
// earlier ones, and remembers where each key's value came from. Every setter checks the value
// and throws ConfigException naming the origin and key when it is not acceptable.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "app/config_error.hpp"
#include "app/config_keys.hpp"

namespace rrtc::app {

using Origins = std::map<std::string, Origin, std::less<>>;

class ConfigBuilder {
 public:
  void set_integer(const KeySpec& key, std::int64_t value, const Origin& origin);
  void set_string(const KeySpec& key, std::string value, const Origin& origin);
  void set_list(const KeySpec& key, std::vector<std::string> value, const Origin& origin);
  // Text from the environment, .env or the command line: an integer in decimal, a list
  // comma-separated (blank entries dropped), a string as is.
  void set_text(const KeySpec& key, std::string_view text, const Origin& origin);
  void set_ice_servers(std::vector<IceServerConfig> servers, const Origin& origin);
  // Adds a server, or when one already lists `url` replaces its credentials.
  void merge_ice_server(const std::string& url, const std::string& username,
                        const std::string& credential, const Origin& origin);

  void warn(Origin origin, std::string key, std::string message);
  [[noreturn]] static void fail(Origin origin, std::string key, std::string message);

  Config& config() { return config_; }
  const Origins& origins() const { return origins_; }
  std::vector<ConfigWarning>& warnings() { return warnings_; }
  // "default" for keys no source set.
  Origin origin_of(std::string_view key) const;

 private:
  Config config_;
  Origins origins_;
  std::vector<ConfigWarning> warnings_;
};

}  // namespace rrtc::app
