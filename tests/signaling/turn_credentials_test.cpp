#include "signaling/turn_credentials.hpp"

#include <gtest/gtest.h>

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);
constexpr std::string_view kSecret = "north-wind-turn-secret";

// Expected credentials computed outside rrtc, with OpenSSL's command line:
//   printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'north-wind-turn-secret' -binary |
//   base64
// and, the same, with python3:
//   base64.b64encode(hmac.new(b'north-wind-turn-secret', b'1700000000:alice',
//                             hashlib.sha1).digest())
TEST(TurnCredentialTest, MatchesIndependentlyComputedHmacSha1) {
  const auto credential = turn_credential(kSecret, "alice", kNow);
  EXPECT_EQ(credential.username, "1700000000:alice");
  EXPECT_EQ(credential.credential, "ejrnBELadoQ6f5+B6Cv64E/BhmI=");
}

// python3: base64.b64encode(hmac.new(b'k', b'1700000060:rrtc', hashlib.sha1).digest())
TEST(TurnCredentialTest, ShortSecretAndSubSecondExpiryTruncated) {
  const auto credential = turn_credential("k", "rrtc", kNow + 60s + 999ms);
  EXPECT_EQ(credential.username, "1700000060:rrtc");
  EXPECT_EQ(credential.credential, "2tI7eXY8dBh4xi8DbvaVm2NGmns=");
}

TEST(TurnCredentialTest, DiffersPerUserAndPerSecret) {
  const auto alice = turn_credential(kSecret, "alice", kNow);
  EXPECT_NE(turn_credential(kSecret, "bob", kNow).credential, alice.credential);
  EXPECT_NE(turn_credential("other", "alice", kNow).credential, alice.credential);
  // Base64 of a 20-byte HMAC-SHA1: 28 characters, one '=' of padding.
  EXPECT_EQ(alice.credential.size(), 28u);
  EXPECT_EQ(alice.credential.back(), '=');
}

ServerOptions options_with_servers() {
  ServerOptions options;
  options.ice_servers = {
      {{"stun:stun.example.org:3478"}, "", ""},
      {{"turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"}, "", ""},
      {{"turn:static.example.org"}, "fixed-user", "fixed-password"},
      {{"stun:mixed.example.org", "turn:mixed.example.org"}, "", ""},
  };
  return options;
}

TEST(IceServersForTest, WithoutSecretReturnsTheConfiguredServersUnchanged) {
  const auto options = options_with_servers();
  const auto servers = ice_servers_for(options, "p-7", kNow);
  ASSERT_EQ(servers.size(), 4u);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    EXPECT_EQ(servers[i].urls, options.ice_servers[i].urls);
    EXPECT_EQ(servers[i].username, options.ice_servers[i].username);
    EXPECT_EQ(servers[i].credential, options.ice_servers[i].credential);
  }
}

// python3: base64.b64encode(hmac.new(b'north-wind-turn-secret', b'1700086400:p-7',
//                                    hashlib.sha1).digest())
TEST(IceServersForTest, TurnEntriesWithoutUsernameGetCredentialsValidForTheDefaultTtl) {
  auto options = options_with_servers();
  options.turn_secret = std::string(kSecret);
  ASSERT_EQ(options.turn_credential_ttl, 86400s);
  const auto servers = ice_servers_for(options, "p-7", kNow);
  ASSERT_EQ(servers.size(), 4u);
  // A STUN-only entry needs no credentials and gets none.
  EXPECT_EQ(servers[0].urls, options.ice_servers[0].urls);
  EXPECT_EQ(servers[0].username, "");
  EXPECT_EQ(servers[0].credential, "");
  // turn: and turns: URLs without a username: minted for this participant.
  EXPECT_EQ(servers[1].urls, options.ice_servers[1].urls);
  EXPECT_EQ(servers[1].username, "1700086400:p-7");
  EXPECT_EQ(servers[1].credential, "NlucvYO28azFYgEkTWhGWaC73+c=");
  // An entry configured with its own username keeps it (a TURN server with static users).
  EXPECT_EQ(servers[2].username, "fixed-user");
  EXPECT_EQ(servers[2].credential, "fixed-password");
  // One turn: URL among STUN ones is enough: the entry's credentials apply to all its URLs.
  EXPECT_EQ(servers[3].username, "1700086400:p-7");
  EXPECT_EQ(servers[3].credential, "NlucvYO28azFYgEkTWhGWaC73+c=");
}

TEST(IceServersForTest, TtlSetsTheExpiryAndEachParticipantGetsItsOwn) {
  auto options = options_with_servers();
  options.turn_secret = std::string(kSecret);
  options.turn_credential_ttl = 600s;
  const auto alice = ice_servers_for(options, "alice", kNow - 600s);
  EXPECT_EQ(alice[1].username, "1700000000:alice");
  EXPECT_EQ(alice[1].credential, "ejrnBELadoQ6f5+B6Cv64E/BhmI=");
  const auto bob = ice_servers_for(options, "bob", kNow - 600s);
  EXPECT_EQ(bob[1].username, "1700000000:bob");
  EXPECT_NE(bob[1].credential, alice[1].credential);
}

TEST(IceServersForTest, NoServersConfiguredGivesNone) {
  ServerOptions options;
  options.turn_secret = std::string(kSecret);
  EXPECT_TRUE(ice_servers_for(options, "alice", kNow).empty());
}

}  // namespace
}  // namespace rrtc::signaling
