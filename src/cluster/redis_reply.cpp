#include "cluster/redis_reply.hpp"

namespace rrtc::cluster {

std::string_view to_string(RedisErrc error) noexcept {
  switch (error) {
    case RedisErrc::ok:
      return "ok";
    case RedisErrc::unavailable:
      return "unavailable";
    case RedisErrc::timeout:
      return "timeout";
    case RedisErrc::connection_lost:
      return "connection lost";
    case RedisErrc::server:
      return "server error";
  }
  return "unknown";
}

}  // namespace rrtc::cluster
