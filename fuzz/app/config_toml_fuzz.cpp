// libFuzzer: TOML config files. No crash, and print -> parse gives the same Config.
#include "config_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return rrtc::app::fuzz::run_config_fuzz(data, size, rrtc::app::FileFormat::kToml);
}
