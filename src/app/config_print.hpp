#pragma once
// The effective configuration as TOML, as `rrtc --check-config` prints it: every key, the
// source of each value that is not a default as a trailing comment. The output parses back as a
// config file giving the same Config (unless secrets are masked).

#include <string>

#include "app/config.hpp"
#include "app/config_builder.hpp"

namespace rrtc::app {

struct PrintOptions {
  bool mask_secrets = true;          // join_secret and credentials shown as "****"
  const Origins* origins = nullptr;  // when given, "# <source>" after values not from defaults
};

std::string print_config(const Config& config, const PrintOptions& options = {});

// A TOML basic string (TOML 1.0 "Basic strings"): quotes, backslashes and control characters
// escaped.
std::string toml_string(std::string_view text);

}  // namespace rrtc::app
