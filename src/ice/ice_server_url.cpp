#include "ice/ice_server_url.hpp"

#include <charconv>

namespace rrtc::ice {
namespace {

constexpr std::size_t kMaxUrlSize = 512;

bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_ipv6_char(char c) noexcept {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

std::optional<IceServerUrl> fail(IceServerUrlError* out, IceServerUrlError error) {
  if (out != nullptr) {
    *out = error;
  }
  return std::nullopt;
}

// Splits "scheme:" off the front.
std::optional<IceServerScheme> take_scheme(std::string_view& rest) {
  struct Entry {
    std::string_view prefix;
    IceServerScheme scheme;
  };
  static constexpr Entry kSchemes[] = {{"stun:", IceServerScheme::Stun},
                                       {"stuns:", IceServerScheme::Stuns},
                                       {"turn:", IceServerScheme::Turn},
                                       {"turns:", IceServerScheme::Turns}};
  for (const Entry& entry : kSchemes) {
    if (rest.substr(0, entry.prefix.size()) == entry.prefix) {
      rest.remove_prefix(entry.prefix.size());
      return entry.scheme;
    }
  }
  return std::nullopt;
}

// Host, then an optional ":port"; leaves the query in rest.
bool take_host_port(std::string_view& rest, IceServerUrl& url, IceServerUrlError& error) {
  std::string_view authority = rest.substr(0, rest.find('?'));
  rest.remove_prefix(authority.size());
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = IceServerUrlError::BadHost;
      return false;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = IceServerUrlError::BadHost;
      return false;
    }
    port = after.empty() ? after : after.substr(1);
    for (char c : host) {
      if (!is_ipv6_char(c)) {
        error = IceServerUrlError::BadHost;
        return false;
      }
    }
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    port = colon == std::string_view::npos ? std::string_view() : authority.substr(colon + 1);
    for (char c : host) {
      if (!is_host_char(c)) {
        error = IceServerUrlError::BadHost;
        return false;
      }
    }
  }
  if (host.empty()) {
    error = IceServerUrlError::BadHost;
    return false;
  }
  url.host = std::string(host);
  if (authority.find(':') != std::string_view::npos && authority.back() == ':') {
    error = IceServerUrlError::BadPort;  // "host:" with no digits
    return false;
  }
  if (!port.empty()) {
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc() || ptr != port.data() + port.size() || url.port == 0) {
      error = IceServerUrlError::BadPort;
      return false;
    }
  }
  return true;
}

bool take_query(std::string_view query, IceServerUrl& url, IceServerUrlError& error) {
  if (query.empty()) {
    return true;
  }
  if (!url.is_turn()) {
    error = IceServerUrlError::BadQuery;  // RFC 7064 defines no query for stun:
    return false;
  }
  if (query == "?transport=udp") {
    if (url.scheme == IceServerScheme::Turns) {
      error = IceServerUrlError::Unsupported;  // TURN over DTLS: libnice has no such relay type
      return false;
    }
    url.transport = RelayTransport::Udp;
    return true;
  }
  if (query == "?transport=tcp") {
    url.transport =
        url.scheme == IceServerScheme::Turns ? RelayTransport::Tls : RelayTransport::Tcp;
    return true;
  }
  error = IceServerUrlError::BadQuery;
  return false;
}

}  // namespace

const char* to_string(IceServerUrlError error) noexcept {
  switch (error) {
    case IceServerUrlError::None:
      return "none";
    case IceServerUrlError::TooLong:
      return "too long";
    case IceServerUrlError::BadScheme:
      return "scheme must be stun:, turn: or turns:";
    case IceServerUrlError::BadHost:
      return "bad host";
    case IceServerUrlError::BadPort:
      return "bad port";
    case IceServerUrlError::BadQuery:
      return "bad query (only ?transport=udp|tcp on turn URLs)";
    case IceServerUrlError::Unsupported:
      return "not supported by libnice";
  }
  return "unknown";
}

std::optional<IceServerUrl> parse_ice_server_url(std::string_view text, IceServerUrlError* error) {
  if (error != nullptr) {
    *error = IceServerUrlError::None;
  }
  if (text.size() > kMaxUrlSize) {
    return fail(error, IceServerUrlError::TooLong);
  }
  IceServerUrl url;
  std::string_view rest = text;
  std::optional<IceServerScheme> scheme = take_scheme(rest);
  if (!scheme) {
    return fail(error, IceServerUrlError::BadScheme);
  }
  url.scheme = *scheme;
  if (url.scheme == IceServerScheme::Stuns) {
    return fail(error, IceServerUrlError::Unsupported);  // libnice's STUN discovery is UDP only
  }
  url.transport = url.scheme == IceServerScheme::Turns ? RelayTransport::Tls : RelayTransport::Udp;
  IceServerUrlError local = IceServerUrlError::None;
  if (!take_host_port(rest, url, local) || !take_query(rest, url, local)) {
    return fail(error, local);
  }
  if (url.port == 0) {
    url.port = url.scheme == IceServerScheme::Turns ? 5349 : 3478;
  }
  return url;
}

}  // namespace rrtc::ice
