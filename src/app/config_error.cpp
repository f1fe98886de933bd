#include "app/config_error.hpp"

#include <utility>

namespace rrtc::app {

std::string Origin::to_string() const {
  if (!line) {
    return source;
  }
  return source + ":" + std::to_string(*line);
}

std::string Diagnostic::to_string() const {
  std::string text = origin.to_string();
  if (!key.empty()) {
    text += ": ";
    text += key;
  }
  text += ": ";
  text += message;
  return text;
}

ConfigException::ConfigException(ConfigError error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

}  // namespace rrtc::app
