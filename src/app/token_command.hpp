#pragma once
// `rrtc token` (docs/admin-api.md): a join token signed with join_secret, or an admin API token
// (iss = api_key) signed with api_secret, from the configuration loaded as for the server.
// Pure: the current time is a parameter.

#include <chrono>
#include <string>

#include "app/command_line.hpp"
#include "app/config.hpp"

namespace rrtc::app {

struct IssuedToken {
  std::string token;  // empty when `error` says why none could be made
  std::string error;
  std::int64_t expires_at = 0;  // Unix seconds
};

IssuedToken issue_token(const Config& config, const TokenOptions& options,
                        std::chrono::system_clock::time_point now);

}  // namespace rrtc::app
