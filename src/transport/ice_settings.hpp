#pragma once
// The ICE names the layers above transport need, so they never include ice/ themselves (only
// transport uses ice): the configuration (IceOptions as configured, IceConfig resolved once at
// start-up), and what Peer::add_remote_candidate() answers.

#include "ice/ice_options.hpp"
#include "ice/ice_transport.hpp"

namespace rrtc::transport {

using IceOptions = ice::IceOptions;
using IceConfig = ice::IceConfig;
using IceCredentials = ice::IceCredentials;
using CandidateResult = ice::CandidateResult;
// Ephemeral TURN credentials for each new agent (IceOptions::Turn::mint).
using TurnCredentials = ice::TurnCredentials;
using MintTurnCredentials = ice::MintTurnCredentials;
// to_string(CandidateResult) (and IceState) as transport::to_string.
using ice::to_string;

// Checks the options and resolves names (getifaddrs, getaddrinfo: blocking, so start-up only).
// Throws std::invalid_argument naming the bad setting.
inline IceConfig resolve_ice_config(const IceOptions& options) {
  return ice::resolve_ice_config(options);
}

}  // namespace rrtc::transport
