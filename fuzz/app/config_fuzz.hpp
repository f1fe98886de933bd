#pragma once
// Shared body of the config_toml and config_json fuzz targets: bytes -> config file parser ->
// validation; a config that loads is printed as TOML, parsed again, and must come back equal.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "app/config_file.hpp"
#include "app/config_print.hpp"
#include "app/config_validate.hpp"

namespace rrtc::app::fuzz {

// A folder that does not exist: web_root values then fail validation without touching files.
inline constexpr const char* kWorkingDir = "/nonexistent-rrtc-fuzz";

inline int run_config_fuzz(const std::uint8_t* data, std::size_t size, FileFormat format) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ConfigBuilder first;
  try {
    apply_config_text(text, format, "fuzz", first);
    validate_config(first, kWorkingDir);
  } catch (const ConfigException&) {
    return 0;  // rejected cleanly: what bad input must give
  }
  std::string printed = print_config(first.config(), {.mask_secrets = false});
  ConfigBuilder second;
  try {
    apply_config_text(printed, FileFormat::kToml, "printed", second);
    validate_config(second, kWorkingDir);
  } catch (const ConfigException& e) {
    std::fprintf(stderr, "re-parse failed: %s\n%s\n", e.what(), printed.c_str());
    std::abort();
  }
  if (!(second.config() == first.config())) {
    std::fprintf(stderr, "round trip changed the config:\n%s\n", printed.c_str());
    std::abort();
  }
  return 0;
}

}  // namespace rrtc::app::fuzz
