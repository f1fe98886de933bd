#pragma once
// Local addresses for host candidates, from interface names or IP literals. Only touches the
// operating system through getifaddrs; used at start-up.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rrtc::ice {

// True for a valid IPv4 or IPv6 literal (no brackets, no scope id).
bool is_ip_literal(std::string_view text);

// The IPv4 and IPv6 addresses of the interface with this name, IPv6 link-local ones left out
// (they need a scope id that candidates cannot carry). nullopt when no such interface exists.
std::optional<std::vector<std::string>> interface_addresses(std::string_view name);

}  // namespace rrtc::ice
