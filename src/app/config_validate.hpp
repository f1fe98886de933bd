#pragma once
// Checks that span keys, run once every source has been applied: the RTC port range, TURN
// completeness, web_root (made absolute), and warnings for weak or odd settings.

#include <filesystem>

#include "app/config_builder.hpp"

namespace rrtc::app {

// Throws ConfigException naming the origin of the offending value.
void validate_config(ConfigBuilder& builder, const std::filesystem::path& working_dir);

}  // namespace rrtc::app
