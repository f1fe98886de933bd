#pragma once
// Errors and warnings found while loading the configuration. Each names where the value came
// from, so the one line printed at start-up is enough to fix it.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace rrtc::app {

// Where a value came from: a file path (with its line when known), "environment variable X",
// "command line --port" or "default".
struct Origin {
  std::string source;
  std::optional<std::size_t> line;

  std::string to_string() const;  // "source" or "source:line"
  bool operator==(const Origin&) const = default;
};

struct Diagnostic {
  Origin origin;
  std::string key;  // config key ("signaling_port", "turn.url"); empty for syntax errors
  std::string message;

  // One line: "<source>[:<line>]: <key>: <message>".
  std::string to_string() const;
};

using ConfigError = Diagnostic;
using ConfigWarning = Diagnostic;

// Thrown inside the loader and caught by load_config(), which returns the ConfigError.
class ConfigException : public std::runtime_error {
 public:
  explicit ConfigException(ConfigError error);
  const ConfigError& error() const noexcept { return error_; }

 private:
  ConfigError error_;
};

}  // namespace rrtc::app
