// NicePeerFactory's per-agent configuration: ephemeral TURN credentials minted for each new agent.

#include "transport/nice_peer_factory.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rrtc::transport {
namespace {

using namespace std::chrono_literals;

const auto kStart = std::chrono::system_clock::time_point(1'700'000'000s);

// A stand-in for the HMAC (tested in signaling/turn_credentials_test.cpp): what matters here is
// that every agent gets what the minting function makes at its own creation time.
TurnCredentials fake_mint(std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return {std::to_string(seconds.count() + 600) + ":rrtc",
          "cred-" + std::to_string(seconds.count())};
}

IceConfig config_with_turn(MintTurnCredentials mint) {
  IceConfig config;
  config.turn =
      ice::ResolvedTurn{{"127.0.0.1", 3478}, ice::RelayTransport::Udp, "", "", std::move(mint)};
  return config;
}

TEST(NicePeerFactoryTest, EachNewAgentGetsCredentialsMintedAtItsCreation) {
  io::GlibLoop loop;
  NicePeerFactory factory(loop, config_with_turn(fake_mint));
  const IceConfig& first = factory.config_for_new_agent(kStart);
  ASSERT_TRUE(first.turn.has_value());
  EXPECT_EQ(first.turn->username, "1700000600:rrtc");
  EXPECT_EQ(first.turn->credential, "cred-1700000000");
  // A day later (past any earlier credential's expiry) the next agent gets fresh ones.
  const IceConfig& later = factory.config_for_new_agent(kStart + 24h);
  EXPECT_EQ(later.turn->username, "1700087000:rrtc");
  EXPECT_EQ(later.turn->credential, "cred-1700086400");
  EXPECT_EQ(later.turn->server.ip, "127.0.0.1");
  EXPECT_EQ(later.turn->server.port, 3478);
}

TEST(NicePeerFactoryTest, StaticCredentialsAndNoTurnAreLeftAlone) {
  io::GlibLoop loop;
  IceConfig with_static = config_with_turn({});
  with_static.turn->username = "u";
  with_static.turn->credential = "p";
  NicePeerFactory factory(loop, with_static);
  const IceConfig& config = factory.config_for_new_agent(kStart);
  EXPECT_EQ(config.turn->username, "u");
  EXPECT_EQ(config.turn->credential, "p");
  NicePeerFactory without_turn(loop, IceConfig{});
  EXPECT_FALSE(without_turn.config_for_new_agent(kStart).turn.has_value());
}

}  // namespace
}  // namespace rrtc::transport
