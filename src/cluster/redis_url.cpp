#include "cluster/redis_url.hpp"

#include <algorithm>
#include <charconv>

namespace rrtc::cluster {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr unsigned kMaxDb = 15;  // redis.conf's default `databases 16`

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

template <typename T>
bool parse_number(std::string_view text, T max, T& out) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return false;
  out = static_cast<T>(value);
  return true;
}

// "%41" style escapes in the user info (a password may hold '@' or ':' written as %40 / %3A).
bool percent_decode(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) return false;
    out += static_cast<char>(value);
    i += 2;
  }
  return true;
}

}  // namespace

std::variant<RedisUrl, RedisUrlError> parse_redis_url(std::string_view text) {
  if (text.substr(0, kTlsScheme.size()) == kTlsScheme) {
    return RedisUrlError{"rediss:// (TLS) is not supported: Debian 12's hiredis 0.14 has no TLS"};
  }
  if (text.substr(0, kScheme.size()) != kScheme) {
    return RedisUrlError{"expected redis://[:password@]host[:port][/db]"};
  }
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
    return RedisUrlError{"white space or control characters in the URL"};
  }
  std::string_view rest = text.substr(kScheme.size());
  RedisUrl url;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_number(db, kMaxDb, url.db)) {
      return RedisUrlError{"the database after '/' must be a number 0-15"};
    }
  }
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    std::string_view password =
        colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1);
    if (colon == std::string_view::npos) {
      // "redis://secret@host": redis-cli reads a lone user info as the password.
      password = user;
      user = {};
    }
    if (!percent_decode(user, url.username) || !percent_decode(password, url.password)) {
      return RedisUrlError{"a bad %-escape in the user or password"};
    }
    if (url.password.empty()) {
      return RedisUrlError{"an empty password after ':'"};
    }
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return RedisUrlError{"an IPv6 host without ']'"};
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return RedisUrlError{"expected ':port' after the IPv6 host"};
      port = after.substr(1);
      if (port.empty()) return RedisUrlError{"an empty port after ':'"};
    }
    if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), [](char c) {
          return c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F');
        })) {
      return RedisUrlError{"not an IPv6 address in brackets"};
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return RedisUrlError{"an empty port after ':'"};
    }
    if (url.host.empty()) return RedisUrlError{"no host"};
    if (!std::all_of(url.host.begin(), url.host.end(), is_host_char)) {
      return RedisUrlError{"the host may hold letters, digits, '-', '.' and '_' only"};
    }
  }
  if (!port.empty() && (!parse_number(port, std::uint16_t{65535}, url.port) || url.port == 0)) {
    return RedisUrlError{"the port must be a number 1-65535"};
  }
  return url;
}

std::string mask_redis_url(std::string_view text) {
  const auto scheme_end = text.find("://");
  const auto at = text.rfind('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos || at < scheme_end) {
    return std::string(text);
  }
  const std::string_view userinfo = text.substr(scheme_end + 3, at - scheme_end - 3);
  const auto colon = userinfo.find(':');
  std::string out(text.substr(0, scheme_end + 3));
  if (colon != std::string_view::npos) {
    out += userinfo.substr(0, colon);  // the user name is no secret
    out += ':';
  }
  out += "****";
  out += text.substr(at);
  return out;
}

std::string redis_endpoint(const RedisUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

}  // namespace rrtc::cluster
