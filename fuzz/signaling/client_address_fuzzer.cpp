// Forwarding headers and CIDRs from a trusted proxy -> client address. Never crashes; a hop
// that is taken prints and parses back to itself; a CIDR contains its own network; the client
// is the peer, or an address that is not a trusted proxy unless every hop was one.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "signaling/client_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rrtc::signaling;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // First line: a CIDR to trust besides 127.0.0.1; second: Forwarded; the rest: X-Forwarded-For.
  auto first = input.find('\n');
  std::string_view cidr_text = input.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? "" : input.substr(first + 1);
  auto second = rest.find('\n');
  std::string_view forwarded = rest.substr(0, second);
  std::string_view xff = second == std::string_view::npos ? "" : rest.substr(second + 1);

  if (auto cidr = Cidr::parse(cidr_text)) {
    if (!cidr->contains(cidr->network)) std::abort();
  }
  for (auto node : {parse_node(forwarded), parse_node(xff)}) {
    if (node && IpAddress::parse(node->to_string()) != node) std::abort();
  }
  std::vector<std::string> entries{"127.0.0.1"};
  if (Cidr::parse(cidr_text)) entries.emplace_back(cidr_text);
  auto trusted = TrustedProxies::parse(entries);
  if (!trusted) std::abort();
  const IpAddress peer = *IpAddress::parse("127.0.0.1");
  ClientAddress client = client_address(peer, forwarded, xff, *trusted);
  if (client.source == AddressSource::peer) {
    if (client.address != peer) std::abort();
  } else if (client.header_invalid ||
             IpAddress::parse(client.address.to_string()) != client.address) {
    std::abort();
  }
  // An untrusted peer's headers are never read.
  const IpAddress stranger = *IpAddress::parse("198.51.100.1");
  if (!trusted->contains(stranger) &&
      client_address(stranger, forwarded, xff, *trusted).address != stranger) {
    std::abort();
  }
  return 0;
}
