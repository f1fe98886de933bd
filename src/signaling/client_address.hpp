#pragma once
// Which client a connection speaks for: its TCP peer or, only when that peer is one of the
// configured reverse proxies (`trusted_proxies`), the client those proxies name in `Forwarded`
// (RFC 7239) or `X-Forwarded-For`. The result feeds max_connections_per_ip and log lines.
//
// Pure: no sockets, no clock, no logging; every function takes untrusted text and never throws.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rrtc::signaling {

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack
// socket reports for IPv4 peers) is held as IPv4, so it compares equal to and matches the same
// CIDRs as the plain IPv4 address.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4, the rest zero
  bool v4 = true;

  // A bare address: "192.0.2.1" or "2001:db8::1" (no brackets, port or zone).
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress from_v4(const std::array<std::uint8_t, 4>& octets);
  static IpAddress from_v6(const std::array<std::uint8_t, 16>& octets);
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). Host bits beyond the
// prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
struct Cidr {
  IpAddress network;
  unsigned prefix = 0;

  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Parses every entry; on a bad one returns nullopt and, if `bad` is given, names it there.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries,
                                             std::string* bad = nullptr);
  bool contains(const IpAddress& address) const;
  bool empty() const { return cidrs_.empty(); }

 private:
  std::vector<Cidr> cidrs_;
};

// One hop of a forwarding header (RFC 7239 section 6 `node`, and what X-Forwarded-For carries):
// "192.0.2.1", "192.0.2.1:8080", "[2001:db8::1]", "[2001:db8::1]:8080" or a bare IPv6
// address, surrounded by optional whitespace. "unknown", obfuscated names ("_hidden") and
// anything else give nullopt.
std::optional<IpAddress> parse_node(std::string_view text);

// The `for=` value of each element of a Forwarded header, left to right, unquoted; an element
// without `for` or one that does not parse gives an empty string. nullopt when the header's
// quoting is broken (a quoted-string that never ends).
std::optional<std::vector<std::string>> forwarded_for_values(std::string_view header);

enum class AddressSource { peer, forwarded, x_forwarded_for };

struct ClientAddress {
  IpAddress address;
  AddressSource source = AddressSource::peer;
  // A trusted proxy sent a forwarding header naming no usable hop: the peer was taken instead.
  bool header_invalid = false;
};

// The client of a connection from `peer`. `forwarded` and `x_forwarded_for` are the values of
// those header fields (several fields of one name joined with ","); empty means absent.
// Headers are believed only when `peer` is trusted; then `Forwarded` wins over
// `X-Forwarded-For`, and the client is the right-most hop that is not itself a trusted proxy
// (hops further left were written by the client and prove nothing). When every hop is trusted,
// the left-most is taken.
ClientAddress client_address(const IpAddress& peer, std::string_view forwarded,
                             std::string_view x_forwarded_for, const TrustedProxies& trusted);

}  // namespace rrtc::signaling
