// transport::peer_config_from / remote_candidates_from: the negotiator's RemoteTransport to the
// Peer's inputs.

#include "transport/peer_config_from_sdp.hpp"

#include <gtest/gtest.h>

#include "peer_harness.hpp"
#include "sdp/candidate.hpp"

namespace rrtc::transport {
namespace {

sdp::RemoteTransport remote_transport() {
  sdp::RemoteTransport remote;
  remote.ice_ufrag = "abcd";
  remote.ice_pwd = "0123456789abcdefghijkl";
  const auto& fingerprint = test::certificates().client->fingerprint();
  remote.fingerprints = {{"sha-256", fingerprint.value()}};
  return remote;
}

TEST(PeerConfigFromSdp, CarriesCredentialsFingerprintsAndRole) {
  SdpTransportError error = SdpTransportError::BadIceCredentials;
  auto config = peer_config_from(remote_transport(), dtls::Role::Passive, &error);
  ASSERT_TRUE(config);
  EXPECT_EQ(error, SdpTransportError::None);
  EXPECT_EQ(config->remote_credentials.ufrag, "abcd");
  EXPECT_EQ(config->remote_credentials.pwd, "0123456789abcdefghijkl");
  EXPECT_EQ(config->dtls.role, dtls::Role::Passive);
  ASSERT_EQ(config->dtls.remote_fingerprints.size(), 1u);
  EXPECT_EQ(config->dtls.remote_fingerprints[0], test::certificates().client->fingerprint());
}

TEST(PeerConfigFromSdp, SkipsUnusableFingerprintsButNeedsOne) {
  auto remote = remote_transport();
  remote.fingerprints.insert(remote.fingerprints.begin(), {{"md5", "AB:CD"}, {"sha-256", "AB:CD"}});
  auto config = peer_config_from(remote, dtls::Role::Active);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->dtls.remote_fingerprints.size(), 1u);
  EXPECT_EQ(config->dtls.role, dtls::Role::Active);

  remote.fingerprints = {{"md5", "AB:CD"}, {"sha-256", "not hex"}};
  SdpTransportError error = SdpTransportError::None;
  EXPECT_FALSE(peer_config_from(remote, dtls::Role::Passive, &error));
  EXPECT_EQ(error, SdpTransportError::NoUsableFingerprint);
  EXPECT_STREQ(to_string(error), "no usable fingerprint");
}

TEST(PeerConfigFromSdp, RejectsBadCredentials) {
  for (auto [ufrag, pwd] :
       {std::pair{"", "0123456789abcdefghijkl"}, std::pair{"abc", "0123456789abcdefghijkl"},
        std::pair{"abcd", "short"}, std::pair{"ab d", "0123456789abcdefghijkl"}}) {
    auto remote = remote_transport();
    remote.ice_ufrag = ufrag;
    remote.ice_pwd = pwd;
    SdpTransportError error = SdpTransportError::None;
    EXPECT_FALSE(peer_config_from(remote, dtls::Role::Passive, &error)) << ufrag << " " << pwd;
    EXPECT_EQ(error, SdpTransportError::BadIceCredentials);
  }
}

TEST(PeerConfigFromSdp, CandidatesThenEndOfCandidates) {
  auto remote = remote_transport();
  const std::string line = "candidate:1 1 udp 2130706431 192.0.2.7 5000 typ host";
  auto candidate = sdp::parse_candidate(line);
  ASSERT_TRUE(candidate);
  remote.candidates = {*candidate};
  EXPECT_EQ(remote_candidates_from(remote), std::vector<std::string>{line});
  remote.end_of_candidates = true;
  EXPECT_EQ(remote_candidates_from(remote), (std::vector<std::string>{line, ""}));

  // What comes out is what a Peer's ICE takes.
  test::PeerPair pair;
  for (const auto& text : remote_candidates_from(remote)) {
    EXPECT_NE(pair.server.peer->add_remote_candidate(text), ice::CandidateResult::Malformed)
        << text;
  }
}

}  // namespace
}  // namespace rrtc::transport
