#include "signaling/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace rrtc::signaling {

namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RFC 7239 section 6: node-port = port / obfport; port = 1*5DIGIT; obfport = "_" 1*(ALPHA /
// DIGIT / "." / "_" / "-").
bool is_node_port(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '_') {
    return s.size() > 1 && std::all_of(s.begin() + 1, s.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
           });
  }
  return s.size() <= 5 && all_digits(s) && std::stoul(std::string(s)) <= 65535;
}

// Splits at `separator` outside quoted-strings (RFC 7230 section 3.2.6: '"' ... '"' with
// backslash escapes). nullopt when a quoted-string never ends.
std::optional<std::vector<std::string_view>> split_outside_quotes(std::string_view text,
                                                                  char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return std::nullopt;
  parts.push_back(text.substr(start));
  return parts;
}

// A parameter value: a token, or a quoted-string unquoted. nullopt if neither.
std::optional<std::string> parameter_value(std::string_view value) {
  if (value.empty()) return std::nullopt;
  if (value.front() != '"') {
    bool token = std::none_of(value.begin(), value.end(), [](char c) {
      return is_ows(c) || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
             c == 0x7f;
    });
    if (!token) return std::nullopt;
    return std::string(value);
  }
  if (value.size() < 2 || value.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') {
      if (i + 2 >= value.size()) return std::nullopt;  // escapes the closing quote
      c = value[++i];
    } else if (c == '"') {
      return std::nullopt;  // a quote in the middle: two values run together
    }
    out += c;
  }
  return out;
}

// The `for` value of one Forwarded element ("for=...;proto=...;by=..."), or "" when it has
// none, has two, or a pair does not parse.
std::string element_for(std::string_view element) {
  auto pairs = split_outside_quotes(element, ';');
  if (!pairs) return {};
  std::optional<std::string> found;
  for (std::string_view pair : *pairs) {
    pair = trim(pair);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) return {};
    std::string_view name = pair.substr(0, eq);
    auto value = parameter_value(pair.substr(eq + 1));  // RFC 7239: no whitespace around '='
    if (name.empty() || !value) return {};
    if (iequals(name, "for")) {
      if (found) return {};
      found = std::move(*value);
    }
  }
  return found.value_or("");
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  // inet_pton stops at a NUL: one inside the text must not pass for its end.
  if (text.empty() || text.size() >= sizeof buffer || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> v4{};
    if (inet_pton(AF_INET, buffer, v4.data()) != 1) return std::nullopt;
    return from_v4(v4);
  }
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, buffer, v6.data()) != 1) return std::nullopt;
  return from_v6(v6);
}

IpAddress IpAddress::from_v4(const std::array<std::uint8_t, 4>& octets) {
  IpAddress a;
  std::copy(octets.begin(), octets.end(), a.bytes.begin());
  a.v4 = true;
  return a;
}

IpAddress IpAddress::from_v6(const std::array<std::uint8_t, 16>& octets) {
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), octets.begin())) {
    return from_v4({octets[12], octets[13], octets[14], octets[15]});
  }
  IpAddress a;
  a.bytes = octets;
  a.v4 = false;
  return a;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  if (inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer) == nullptr) {
    return {};
  }
  return buffer;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  unsigned max_prefix = address->v4 ? 32 : 128;
  // A v4-mapped network ("::ffff:10.0.0.0/104") is held as IPv4: its prefix counts 96 fewer bits.
  bool mapped = address->v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  Cidr cidr{*address, max_prefix};
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 || !all_digits(bits)) return std::nullopt;
    unsigned prefix = static_cast<unsigned>(std::stoul(std::string(bits)));
    if (mapped) {
      if (prefix < 96 || prefix > 128) return std::nullopt;
      prefix -= 96;
    }
    if (prefix > max_prefix) return std::nullopt;
    cidr.prefix = prefix;
  }
  // Clear host bits, so contains() compares whole bytes and one masked byte.
  for (unsigned i = 0; i < 16; ++i) {
    unsigned keep = cidr.prefix > i * 8 ? std::min(8u, cidr.prefix - i * 8) : 0;
    cidr.network.bytes[i] &= static_cast<std::uint8_t>(0xff00u >> keep);
  }
  return cidr;
}

bool Cidr::contains(const IpAddress& address) const {
  if (address.v4 != network.v4) return false;
  unsigned whole = prefix / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, address.bytes.begin())) {
    return false;
  }
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
  return (address.bytes[whole] & mask) == network.bytes[whole];
}

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries,
                                                    std::string* bad) {
  TrustedProxies proxies;
  for (const auto& entry : entries) {
    auto cidr = Cidr::parse(entry);
    if (!cidr) {
      if (bad != nullptr) *bad = entry;
      return std::nullopt;
    }
    proxies.cidrs_.push_back(*cidr);
  }
  return proxies;
}

bool TrustedProxies::contains(const IpAddress& address) const {
  return std::any_of(cidrs_.begin(), cidrs_.end(),
                     [&](const Cidr& c) { return c.contains(address); });
}

std::optional<IpAddress> parse_node(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !is_node_port(rest.substr(1)))) {
      return std::nullopt;
    }
    std::string_view inside = text.substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for v6
    return IpAddress::parse(inside);
  }
  auto colons = std::count(text.begin(), text.end(), ':');
  if (colons == 1) {  // IPv4 with a port
    auto colon = text.find(':');
    if (!is_node_port(text.substr(colon + 1))) return std::nullopt;
    return IpAddress::parse(text.substr(0, colon));
  }
  return IpAddress::parse(text);  // IPv4, or a bare IPv6 (X-Forwarded-For writes them so)
}

std::optional<std::vector<std::string>> forwarded_for_values(std::string_view header) {
  auto elements = split_outside_quotes(header, ',');
  if (!elements) return std::nullopt;
  std::vector<std::string> values;
  values.reserve(elements->size());
  for (std::string_view element : *elements) {
    element = trim(element);
    if (element.empty()) continue;  // RFC 7230 section 7: empty list elements are ignored
    values.push_back(element_for(element));
  }
  return values;
}

namespace {

// The right-most hop of `hops` (left to right) that is not a trusted proxy; the left-most when
// all are trusted; nullopt when a hop that has to be looked at is not an address.
template <class Hops>
std::optional<IpAddress> right_most_untrusted(const Hops& hops, const TrustedProxies& trusted) {
  std::optional<IpAddress> last;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto node = parse_node(*it);
    if (!node) return std::nullopt;
    if (!trusted.contains(*node)) return node;
    last = node;
  }
  return last;
}

}  // namespace

ClientAddress client_address(const IpAddress& peer, std::string_view forwarded,
                             std::string_view x_forwarded_for, const TrustedProxies& trusted) {
  ClientAddress result{peer, AddressSource::peer, false};
  if (!trusted.contains(peer)) return result;
  auto values = forwarded_for_values(forwarded);
  // A header of empty list elements only (",,") names no hop: as if absent.
  if (!values || !values->empty()) {
    auto client = values ? right_most_untrusted(*values, trusted) : std::nullopt;
    if (!client) {
      result.header_invalid = true;
      return result;
    }
    return {*client, AddressSource::forwarded, false};
  }
  // X-Forwarded-For has no quoting: plain commas separate the hops.
  std::vector<std::string_view> kept;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= x_forwarded_for.size(); ++i) {
    if (i == x_forwarded_for.size() || x_forwarded_for[i] == ',') {
      auto hop = x_forwarded_for.substr(start, i - start);
      if (!trim(hop).empty()) kept.push_back(hop);
      start = i + 1;
    }
  }
  if (kept.empty()) return result;  // absent, or empty elements only
  auto client = right_most_untrusted(kept, trusted);
  if (!client) {
    result.header_invalid = true;
    return result;
  }
  return {*client, AddressSource::x_forwarded_for, false};
}

}  // namespace rrtc::signaling
