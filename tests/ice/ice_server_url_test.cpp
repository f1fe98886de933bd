#include "ice/ice_server_url.hpp"

#include <gtest/gtest.h>

namespace rrtc::ice {
namespace {

TEST(IceServerUrl, ParsesValidUrls) {
  struct Case {
    const char* text;
    IceServerScheme scheme;
    const char* host;
    uint16_t port;
    RelayTransport transport;
  };
  const Case cases[] = {
      {"stun:127.0.0.1", IceServerScheme::Stun, "127.0.0.1", 3478, RelayTransport::Udp},
      {"stun:stun.example.org:19302", IceServerScheme::Stun, "stun.example.org", 19302,
       RelayTransport::Udp},
      {"turn:127.0.0.1:3479", IceServerScheme::Turn, "127.0.0.1", 3479, RelayTransport::Udp},
      {"turn:127.0.0.1?transport=udp", IceServerScheme::Turn, "127.0.0.1", 3478,
       RelayTransport::Udp},
      {"turn:127.0.0.1:80?transport=tcp", IceServerScheme::Turn, "127.0.0.1", 80,
       RelayTransport::Tcp},
      {"turns:turn.example.org", IceServerScheme::Turns, "turn.example.org", 5349,
       RelayTransport::Tls},
      {"turns:turn.example.org:443?transport=tcp", IceServerScheme::Turns, "turn.example.org", 443,
       RelayTransport::Tls},
      {"turn:[::1]:3478", IceServerScheme::Turn, "::1", 3478, RelayTransport::Udp},
      {"stun:[2001:db8::1]", IceServerScheme::Stun, "2001:db8::1", 3478, RelayTransport::Udp},
  };
  for (const Case& c : cases) {
    IceServerUrlError error = IceServerUrlError::None;
    std::optional<IceServerUrl> url = parse_ice_server_url(c.text, &error);
    ASSERT_TRUE(url) << c.text << ": " << to_string(error);
    EXPECT_EQ(url->scheme, c.scheme) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->transport, c.transport) << c.text;
  }
}

TEST(IceServerUrl, RejectsBadUrls) {
  struct Case {
    std::string text;
    IceServerUrlError error;
  };
  const Case cases[] = {
      {"", IceServerUrlError::BadScheme},
      {"http://127.0.0.1", IceServerUrlError::BadScheme},
      {"STUN:127.0.0.1", IceServerUrlError::BadScheme},
      {"stun:", IceServerUrlError::BadHost},
      {"stun::3478", IceServerUrlError::BadHost},
      {"stun:host name", IceServerUrlError::BadHost},
      {"turn:[::1", IceServerUrlError::BadHost},
      {"turn:[::1]x", IceServerUrlError::BadHost},
      {"turn:[zz]:1", IceServerUrlError::BadHost},
      {"stun:127.0.0.1:", IceServerUrlError::BadPort},
      {"stun:127.0.0.1:0", IceServerUrlError::BadPort},
      {"stun:127.0.0.1:65536", IceServerUrlError::BadPort},
      {"stun:127.0.0.1:12a", IceServerUrlError::BadPort},
      {"stun:127.0.0.1?transport=udp", IceServerUrlError::BadQuery},
      {"turn:127.0.0.1?transport=sctp", IceServerUrlError::BadQuery},
      {"turn:127.0.0.1?foo", IceServerUrlError::BadQuery},
      {"stuns:127.0.0.1", IceServerUrlError::Unsupported},
      {"turns:127.0.0.1?transport=udp", IceServerUrlError::Unsupported},
      {"turn:" + std::string(600, 'a'), IceServerUrlError::TooLong},
  };
  for (const Case& c : cases) {
    IceServerUrlError error = IceServerUrlError::None;
    EXPECT_FALSE(parse_ice_server_url(c.text, &error)) << c.text;
    EXPECT_EQ(error, c.error) << c.text << " gave " << to_string(error);
  }
}

}  // namespace
}  // namespace rrtc::ice
