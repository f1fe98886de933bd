#pragma once
// Maps the app's Config onto what the signaling server takes, so signaling never sees Config.

#include <string_view>

#include "app/config.hpp"
#include "signaling/server_options.hpp"

namespace rrtc::app {

signaling::ServerOptions to_server_options(const Config& config, std::string_view version);

}  // namespace rrtc::app
