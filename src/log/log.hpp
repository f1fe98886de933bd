#pragma once
// One named spdlog logger per layer ("app", "signaling", "room", "ice", "dtls", "sctp",
// "transport"). The app configures sinks, format and levels once at start-up (app/logging.hpp);
// layers only ask for their logger. Pure layers (sdp, rtp, rtcp) never log.
//
// Thread safety: get() may be called from any thread; loggers are created on first use with the
// default logger's sinks and the level the registry holds for that name.

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace rrtc::log {

// The logger for a layer, created on first use. Keep the returned reference in a function-local
// static or a member: lookups take the registry's mutex.
spdlog::logger& get(std::string_view layer);

}  // namespace rrtc::log
