#include "ice/ice_options.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <memory>
#include <stdexcept>

#include "ice/interface_addresses.hpp"

namespace rrtc::ice {
namespace {

[[noreturn]] void reject(const std::string& what) { throw std::invalid_argument("ice: " + what); }

// libnice takes server addresses as IP literals; names are looked up here, once.
std::string resolve_host(const std::string& host, const std::string& setting) {
  if (is_ip_literal(host)) {
    return host;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* raw = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (rc != 0 || raw == nullptr) {
    reject(setting + ": cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);
  char text[NI_MAXHOST] = {};
  if (getnameinfo(list->ai_addr, list->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) !=
      0) {
    reject(setting + ": cannot resolve '" + host + "'");
  }
  return text;
}

std::vector<std::string> resolve_interfaces(const std::vector<std::string>& interfaces) {
  std::vector<std::string> addresses;
  for (const std::string& entry : interfaces) {
    if (is_ip_literal(entry)) {
      addresses.push_back(entry);
      continue;
    }
    std::optional<std::vector<std::string>> found = interface_addresses(entry);
    if (!found) {
      reject("interfaces: '" + entry + "' is neither an IP address nor an interface name");
    }
    if (found->empty()) {
      reject("interfaces: interface '" + entry + "' has no usable address");
    }
    addresses.insert(addresses.end(), found->begin(), found->end());
  }
  return addresses;
}

IceServerUrl parse_url(const std::string& text, const std::string& setting) {
  IceServerUrlError error = IceServerUrlError::None;
  std::optional<IceServerUrl> url = parse_ice_server_url(text, &error);
  if (!url) {
    reject(setting + ": '" + text + "': " + to_string(error));
  }
  return *url;
}

}  // namespace

IceConfig resolve_ice_config(const IceOptions& options) {
  IceConfig config;
  config.controlling = options.controlling;
  config.relay_only = options.relay_only;
  if (options.relay_only && options.turn.url.empty()) {
    reject("relay_only needs a turn.url");
  }
  config.local_addresses = resolve_interfaces(options.interfaces);
  if (!options.public_ip.empty() && !is_ip_literal(options.public_ip)) {
    reject("public_ip: '" + options.public_ip + "' is not an IP address");
  }
  config.public_ip = options.public_ip;
  if ((options.min_port == 0) != (options.max_port == 0) || options.min_port > options.max_port) {
    reject("port range: need 0 < min_port <= max_port, or both 0");
  }
  config.min_port = options.min_port;
  config.max_port = options.max_port;
  if (!options.stun_url.empty()) {
    IceServerUrl url = parse_url(options.stun_url, "stun_url");
    if (url.is_turn()) {
      reject("stun_url: '" + options.stun_url + "' is a TURN URL");
    }
    config.stun = ResolvedServer{resolve_host(url.host, "stun_url"), url.port};
  }
  if (!options.turn.url.empty()) {
    IceServerUrl url = parse_url(options.turn.url, "turn.url");
    if (!url.is_turn()) {
      reject("turn.url: '" + options.turn.url + "' is not a turn: or turns: URL");
    }
    if (!options.turn.mint && (options.turn.username.empty() || options.turn.credential.empty())) {
      reject("turn: username and credential are required (long-term credentials)");
    }
    config.turn =
        ResolvedTurn{ResolvedServer{resolve_host(url.host, "turn.url"), url.port}, url.transport,
                     options.turn.username, options.turn.credential, options.turn.mint};
  }
  return config;
}

}  // namespace rrtc::ice
