#include "app/token_command.hpp"

#include "signaling/jwt.hpp"

namespace rrtc::app {

IssuedToken issue_token(const Config& config, const TokenOptions& options,
                        std::chrono::system_clock::time_point now) {
  IssuedToken issued;
  issued.expires_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + options.ttl)
          .count();
  if (options.api) {
    if (config.api_secret.empty() || config.api_key.empty()) {
      issued.error =
          "the admin API is off: set api_key and api_secret (API_KEY, API_SECRET) to use "
          "rrtc token --api";
      return issued;
    }
    issued.token =
        signaling::make_admin_token(config.api_key, issued.expires_at, config.api_secret);
    return issued;
  }
  if (config.join_secret.empty()) {
    issued.error =
        "join_secret is not set (JOIN_SECRET): this server admits joins without a token, so "
        "there is nothing to sign";
    return issued;
  }
  std::optional<std::string_view> identity;
  if (options.identity) identity = *options.identity;
  issued.token = signaling::make_join_token(options.room.value_or(""), identity, issued.expires_at,
                                            config.join_secret);
  return issued;
}

}  // namespace rrtc::app
