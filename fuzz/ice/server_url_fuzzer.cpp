// STUN/TURN URLs come from configuration (RFC 7064, RFC 7065): the parser must never crash, and
// what it accepts names a host and a port.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ice/ice_server_url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  rrtc::ice::IceServerUrlError error = rrtc::ice::IceServerUrlError::None;
  auto url = rrtc::ice::parse_ice_server_url(text, &error);
  if (url) {
    if (error != rrtc::ice::IceServerUrlError::None) std::abort();
    if (url->host.empty() || url->port == 0) std::abort();
  } else if (error == rrtc::ice::IceServerUrlError::None) {
    std::abort();
  }
  return 0;
}
