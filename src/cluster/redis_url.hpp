#pragma once
// `redis_url`: where the cluster's Redis is (docs/cluster.md). The form is the one redis-cli and
// most clients take:
//
//   redis://[[user]:password@]host[:port][/db]      port 6379, db 0 by default
//
// host is a name, an IPv4 address or a bracketed IPv6 address ("[::1]"). `rediss://` (TLS) is
// refused with its own message: Debian 12's hiredis is 0.14, which has no TLS (hiredis_ssl came
// with hiredis 1.0); put Redis on a private network or behind a TLS tunnel (docs/cluster.md).
// Pure: no I/O, no exceptions.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace rrtc::cluster {

struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::string username;  // Redis 6 ACL user; empty = the default user
  std::string password;  // empty = no AUTH
  unsigned db = 0;       // SELECT after connecting when not 0

  bool operator==(const RedisUrl&) const = default;
};

// Why a URL was refused: a sentence for the configuration error ("expected ..., got ..." is
// added by the caller).
struct RedisUrlError {
  std::string reason;
};

std::variant<RedisUrl, RedisUrlError> parse_redis_url(std::string_view text);

// The URL with the password replaced by "****" (for --check-config and logs); text that does not
// parse is returned with everything between "://" and the last '@' masked, so a password never
// leaks even from a malformed URL.
std::string mask_redis_url(std::string_view text);

// "host:port" (IPv6 in brackets), for log lines and error messages.
std::string redis_endpoint(const RedisUrl& url);

}  // namespace rrtc::cluster
