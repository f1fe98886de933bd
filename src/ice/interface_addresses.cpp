#include "ice/interface_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace rrtc::ice {

bool is_ip_literal(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return false;
  }
  std::string copy(text);
  in6_addr buffer{};
  return inet_pton(AF_INET, copy.c_str(), &buffer) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), &buffer) == 1;
}

std::optional<std::vector<std::string>> interface_addresses(std::string_view name) {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    return std::nullopt;
  }
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, &freeifaddrs);
  bool found = false;
  std::vector<std::string> addresses;
  for (ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_name == nullptr || name != entry->ifa_name) {
      continue;
    }
    found = true;
    if (entry->ifa_addr == nullptr) {
      continue;
    }
    char text[INET6_ADDRSTRLEN] = {};
    if (entry->ifa_addr->sa_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
      inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&v6->sin6_addr)) {
        continue;
      }
      inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
      addresses.emplace_back(text);
    }
  }
  if (!found) {
    return std::nullopt;
  }
  return addresses;
}

}  // namespace rrtc::ice
