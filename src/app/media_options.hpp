#pragma once
// Maps the configuration onto the media engine's options (workers, ICE gathering, STUN, TURN).

#include "app/config.hpp"
#include "engine/engine_options.hpp"

namespace rrtc::app {

engine::MediaEngineOptions to_media_options(const Config& config);

}  // namespace rrtc::app
