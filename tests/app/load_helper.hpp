#pragma once
// load_config() with argv given as strings, and accessors that fail the test on the wrong
// alternative.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/config_load.hpp"

namespace rrtc::app::test {

inline LoadResult load(const std::vector<std::string>& args, const Environment& env,
                       const std::filesystem::path& working_dir) {
  std::vector<const char*> argv{"rrtc"};
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  return load_config(argv, env, working_dir);
}

// The loaded config; a default one (and a test failure) when loading failed.
inline LoadedConfig loaded(const LoadResult& result) {
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << "unexpected config error: " << error->to_string();
    return {};
  }
  return std::get<LoadedConfig>(result);
}

// The error line; empty (and a test failure) when loading succeeded.
inline std::string error_line(const LoadResult& result) {
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    return error->to_string();
  }
  ADD_FAILURE() << "expected a config error";
  return {};
}

}  // namespace rrtc::app::test
