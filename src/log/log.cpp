#include "log/log.hpp"

#include <string>

namespace rrtc::log {

spdlog::logger& get(std::string_view layer) {
  std::string name(layer);
  if (auto existing = spdlog::get(name)) {
    return *existing;
  }
  auto& sinks = spdlog::default_logger_raw()->sinks();
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  // initialize_logger applies the registry's level for this name (set by the app's filters),
  // its formatter and flush policy; a concurrent creator may have won the race.
  try {
    spdlog::initialize_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    if (auto existing = spdlog::get(name)) {
      return *existing;
    }
    throw;
  }
  return *logger;
}

}  // namespace rrtc::log
