#pragma once
// Ephemeral TURN credentials, the "TURN REST API" scheme coturn implements with
// `use-auth-secret` / `static-auth-secret`: username "<expiry>:<user>" (expiry in seconds since
// the Unix epoch), credential base64(HMAC-SHA1(secret, username)). Pure: time is a parameter.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/server_options.hpp"

namespace rrtc::signaling {

struct TurnCredential {
  std::string username;
  std::string credential;
};

TurnCredential turn_credential(std::string_view secret, std::string_view user,
                               std::chrono::system_clock::time_point expires_at);

// The `ice_servers` of a `joined` for `participant`: options.ice_servers, where (with
// options.turn_secret set) every entry with a turn: or turns: URL and no username gets a
// credential made for `participant`, valid until now + options.turn_credential_ttl.
std::vector<IceServer> ice_servers_for(const ServerOptions& options, std::string_view participant,
                                       std::chrono::system_clock::time_point now);

}  // namespace rrtc::signaling
