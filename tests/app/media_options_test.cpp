// Config -> the media engine's ICE options; here: rrtc's own TURN relay with turn_secret.

#include "app/media_options.hpp"

#include <gtest/gtest.h>

namespace rrtc::app::test {
namespace {

using namespace std::chrono_literals;

// Expected credentials computed outside rrtc, with OpenSSL's command line (and likewise for
// '1700086400:rrtc'):
//   printf '%s' '1700003600:rrtc' | openssl dgst -sha1 -hmac 'coturn-static-auth-secret' -binary |
//   base64
TEST(MediaOptionsTurnSecret, ServerRelayMintsCredentialsPerAgent) {
  Config config;
  config.turn_secret = "coturn-static-auth-secret";
  config.turn_credential_ttl = 3600s;
  config.turn = TurnConfig{"turn:127.0.0.1:3478", "", "", true};
  const auto options = to_media_options(config);
  ASSERT_TRUE(options.ice.turn.mint);
  EXPECT_TRUE(options.ice.relay_only);
  const auto now = std::chrono::system_clock::time_point(1'700'000'000s);
  const auto minted = options.ice.turn.mint(now);
  EXPECT_EQ(minted.username, "1700003600:rrtc");
  EXPECT_EQ(minted.credential, "u5Fk/zCvEMvetvJOIo/ayqtBmSk=");
  // A later agent gets a later expiry: a server running past the TTL keeps relaying new Peers.
  EXPECT_EQ(options.ice.turn.mint(now + 82800s).username, "1700086400:rrtc");
  EXPECT_EQ(options.ice.turn.mint(now + 82800s).credential, "njgvdj7IGeHsYvQ/kMc9hNLyPh8=");
  // resolve_ice_config accepts the relay without static credentials.
  const auto resolved = transport::resolve_ice_config(options.ice);
  ASSERT_TRUE(resolved.turn.has_value());
  EXPECT_TRUE(resolved.turn->mint);
  EXPECT_EQ(resolved.turn->server.port, 3478);
}

TEST(MediaOptionsTurnSecret, StaticServerCredentialsAreKept) {
  Config config;
  config.turn_secret = "coturn-static-auth-secret";
  config.turn = TurnConfig{"turn:127.0.0.1:3478", "rrtc-static", "pass"};
  auto options = to_media_options(config);
  EXPECT_FALSE(options.ice.turn.mint);
  EXPECT_EQ(options.ice.turn.username, "rrtc-static");
  EXPECT_EQ(options.ice.turn.credential, "pass");
  config.turn_secret.clear();
  config.turn = TurnConfig{"turn:127.0.0.1:3478", "u", "p"};
  EXPECT_FALSE(to_media_options(config).ice.turn.mint);
}

}  // namespace
}  // namespace rrtc::app::test
