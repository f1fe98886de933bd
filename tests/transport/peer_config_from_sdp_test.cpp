// transport::peer_config_from / remote_candidates_from / data_channel_config_from: the
// negotiator's output to the Peer's inputs.

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

// The application m-line of an answer, as the negotiator fills it.
sdp::NegotiatedMedia application(std::uint16_t port, std::uint64_t remote_max_message_size) {
  sdp::NegotiatedMedia media;
  media.kind = sdp::MediaKind::application;
  media.accepted = true;
  media.sctp_port = port;
  media.max_message_size = remote_max_message_size;
  return media;
}

TEST(DataChannelConfigFromSdp, PortsAndMessageSizes) {
  struct Case {
    std::uint64_t remote;  // the offer's a=max-message-size (65536 when it had none)
    std::uint64_t local;   // ours
    std::size_t remote_expected;
    std::size_t local_expected;
  };
  const std::size_t unlimited = kUnlimitedMessageSize;
  for (const Case& c : {
           Case{65536, 2097152, 65536, 2097152},
           Case{0, 2097152, 0, 2097152},  // the remote's "no limit" stays 0 (= unlimited)
           Case{std::uint64_t{1} << 40, 2097152, unlimited, 2097152},  // capped
           Case{262144, 0, 262144, unlimited},
           Case{262144, std::uint64_t{1} << 40, 262144, unlimited},
       }) {
    const DataChannelConfig config = data_channel_config_from(application(5001, c.remote), c.local);
    EXPECT_EQ(config.local_port, 5001);
    EXPECT_EQ(config.remote_port, 5001);
    EXPECT_EQ(config.remote_max_message_size, c.remote_expected) << c.remote;
    EXPECT_EQ(config.max_message_size, c.local_expected) << c.local;
    EXPECT_EQ(config.max_channels, DataChannelConfig{}.max_channels);
  }
}

}  // namespace
}  // namespace rrtc::transport
