// transport::Peer over ice::MemoryTransportPair with a simulated clock: handshake, SRTP both
// ways, loss, failures, bad input, close.

#include "transport/peer.hpp"

#include <gtest/gtest.h>

#include "peer_harness.hpp"

namespace rrtc::transport {
namespace {

using test::certificates;
using test::PeerPair;
using test::rtcp_receiver_report;
using test::rtp_packet;

class PeerProfile : public testing::TestWithParam<srtp::SrtpProfile> {};

TEST_P(PeerProfile, HandshakeConnectsBothSides) {
  PeerPair pair;
  auto server_config = pair.server_config();
  server_config.dtls.srtp_profiles = {GetParam()};
  pair.start(server_config, pair.client_config());
  ASSERT_TRUE(pair.run_until([&] { return pair.both_connected(); }));
  for (auto* side : {&pair.server, &pair.client}) {
    EXPECT_EQ(side->listener.states,
              (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected}));
    EXPECT_EQ(side->peer->srtp_profile(), GetParam());
    EXPECT_TRUE(side->peer->reason().empty());
  }
  EXPECT_EQ(pair.server.peer->remote_fingerprint(), certificates().client->fingerprint());
  EXPECT_EQ(pair.client.peer->remote_fingerprint(), certificates().server->fingerprint());
  // Nothing is pending once the handshake is done and nothing was lost.
  EXPECT_EQ(pair.server.peer->counters().send_failures, 0u);
  EXPECT_GT(pair.server.peer->counters().dtls_in, 0u);
}

TEST_P(PeerProfile, SrtpAndSrtcpArriveDecryptedBothWays) {
  PeerPair pair;
  auto server_config = pair.server_config();
  server_config.dtls.srtp_profiles = {GetParam()};
  pair.start(server_config, pair.client_config());
  ASSERT_TRUE(pair.run_until([&] { return pair.both_connected(); }));

  const auto up = rtp_packet(1, 1000, 0xab);
  const auto down = rtp_packet(7, 160, 0x5c);
  const auto report = rtcp_receiver_report(0xdeadbeef);
  EXPECT_EQ(test::send_rtp(*pair.client.peer, up), SendResult::Sent);
  EXPECT_EQ(test::send_rtp(*pair.server.peer, down), SendResult::Sent);
  EXPECT_EQ(test::send_rtcp(*pair.client.peer, report), SendResult::Sent);
  EXPECT_EQ(test::send_rtcp(*pair.server.peer, report), SendResult::Sent);
  pair.link.flush();

  ASSERT_EQ(pair.server.listener.rtp.size(), 1u);
  EXPECT_EQ(pair.server.listener.rtp[0], up);
  ASSERT_EQ(pair.client.listener.rtp.size(), 1u);
  EXPECT_EQ(pair.client.listener.rtp[0], down);
  ASSERT_EQ(pair.server.listener.rtcp.size(), 1u);
  EXPECT_EQ(pair.server.listener.rtcp[0], report);
  ASSERT_EQ(pair.client.listener.rtcp.size(), 1u);
  EXPECT_EQ(pair.client.listener.rtcp[0], report);

  const auto& server = pair.server.peer->counters();
  EXPECT_EQ(server.rtp_decrypted, 1u);
  EXPECT_EQ(server.rtcp_decrypted, 1u);
  EXPECT_EQ(server.rtp_sent, 1u);
  EXPECT_EQ(server.rtcp_sent, 1u);
  EXPECT_EQ(server.decrypt_failures, 0u);
  // The protected packet carries the tag: more bytes went out than the plaintext.
  EXPECT_GT(pair.client.peer->counters().bytes_out, up.size() + report.size());
}

INSTANTIATE_TEST_SUITE_P(Profiles, PeerProfile,
                         testing::Values(srtp::SrtpProfile::AeadAes128Gcm,
                                         srtp::SrtpProfile::AesCm128HmacSha1_80),
                         [](const testing::TestParamInfo<srtp::SrtpProfile>& info) {
                           return info.param == srtp::SrtpProfile::AeadAes128Gcm
                                      ? "AeadAes128Gcm"
                                      : "AesCm128HmacSha1_80";
                         });

TEST(Peer, ServerPrefersGcmWhenBothOfferBoth) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  EXPECT_EQ(pair.server.peer->srtp_profile(), srtp::SrtpProfile::AeadAes128Gcm);
}

TEST(Peer, ManyPacketsKeepTheirOrderAndContent) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  std::vector<std::vector<std::uint8_t>> sent;
  for (std::uint16_t sequence = 65'500; sequence != 40; ++sequence) {  // wraps around
    sent.push_back(rtp_packet(sequence, 200 + sequence % 50, static_cast<std::uint8_t>(sequence)));
    ASSERT_EQ(test::send_rtp(*pair.client.peer, sent.back()), SendResult::Sent);
  }
  pair.link.flush();
  EXPECT_EQ(pair.server.listener.rtp, sent);
}

TEST(Peer, ForwardsLocalCandidatesAndGatheringDone) {
  PeerPair pair;
  pair.link.flush();
  for (auto* side : {&pair.server, &pair.client}) {
    ASSERT_EQ(side->listener.candidates.size(), 1u);
    EXPECT_EQ(side->listener.candidates[0].rfind("candidate:", 0), 0u);
    EXPECT_TRUE(side->listener.gathering_done);
  }
  EXPECT_EQ(pair.server.peer->add_remote_candidate(pair.client.listener.candidates[0]),
            ice::CandidateResult::Added);
  EXPECT_EQ(pair.server.peer->add_remote_candidate(""), ice::CandidateResult::EndOfCandidates);
  EXPECT_EQ(pair.server.peer->add_remote_candidate("candidate:nonsense"),
            ice::CandidateResult::Malformed);
}

TEST(Peer, StartChecksItsInput) {
  PeerPair pair;
  auto config = pair.server_config();
  config.remote_credentials.pwd = "short";
  EXPECT_EQ(pair.server.peer->start(config), StartResult::BadIceCredentials);
  config = pair.server_config();
  config.dtls.remote_fingerprints.clear();
  EXPECT_EQ(pair.server.peer->start(config), StartResult::NoFingerprints);
  config = pair.server_config();
  config.dtls.srtp_profiles.clear();
  EXPECT_EQ(pair.server.peer->start(config), StartResult::NoSrtpProfiles);
  EXPECT_EQ(pair.server.peer->start(pair.server_config()), StartResult::Started);
  EXPECT_EQ(pair.server.peer->start(pair.server_config()), StartResult::AlreadyStarted);
  pair.server.peer->close();
  EXPECT_EQ(pair.client.peer->start(pair.client_config()), StartResult::Started);
  EXPECT_EQ(pair.server.peer->start(pair.server_config()), StartResult::Closed);
  EXPECT_EQ(pair.server.peer->add_remote_candidate(""), ice::CandidateResult::Closed);
}

TEST(Peer, SendRefusesBeforeConnectedAndMalformedPackets) {
  PeerPair pair;
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(1, 10, 0)), SendResult::NotConnected);
  ASSERT_TRUE(pair.connect());
  Peer& client = *pair.client.peer;
  // RTCP through send_rtp, RTP through send_rtcp, a length past the buffer, no room for the tag.
  EXPECT_EQ(test::send_rtp(client, rtcp_receiver_report(1)), SendResult::Malformed);
  EXPECT_EQ(test::send_rtcp(client, rtp_packet(1, 10, 0)), SendResult::Malformed);
  auto packet = rtp_packet(2, 10, 0);
  EXPECT_EQ(client.send_rtp(packet, packet.size() + 1), SendResult::Malformed);
  EXPECT_EQ(client.send_rtp(packet, packet.size()), SendResult::ProtectFailed);
  EXPECT_EQ(client.counters().send_failures, 4u);
  EXPECT_EQ(client.counters().rtp_sent, 0u);
  pair.link.flush();
  EXPECT_TRUE(pair.server.listener.rtp.empty());
}

TEST(Peer, GarbageAndEarlyMediaAreDroppedAndCounted) {
  PeerPair pair;
  auto& tap = *pair.server.tap;
  // Before start(): even DTLS has nowhere to go.
  tap.inject({22, 0xfe, 0xfd, 0, 0});
  pair.start();
  tap.inject({});                        // empty
  tap.inject({0x00, 0x01, 0x00, 0x00});  // STUN range: ICE's business, not ours
  tap.inject({0x10, 1, 2, 3});           // ZRTP range
  tap.inject({0x41, 1, 2, 3});           // TURN channel range
  tap.inject({0xff, 0xff, 0xff});        // nothing at all
  tap.inject(rtp_packet(1, 20, 1));      // RTP before Connected
  tap.inject(rtcp_receiver_report(9));   // RTCP before Connected
  const auto& counters = pair.server.peer->counters();
  EXPECT_EQ(counters.datagrams_in, 8u);
  EXPECT_EQ(counters.dropped_unknown, 5u);
  EXPECT_EQ(counters.dropped_not_connected, 3u);
  EXPECT_EQ(pair.server.peer->state(), PeerState::New);

  ASSERT_TRUE(pair.run_until([&] { return pair.both_connected(); }));
  // After Connected: an unprotected packet fails authentication; a DTLS-looking record of noise is
  // dropped by the endpoint (RFC 6347 section 4.1.2.7) and the peer stays up.
  tap.inject(rtp_packet(2, 20, 1));
  tap.inject(rtcp_receiver_report(9));
  tap.inject({23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 3, 1, 2, 3});
  EXPECT_EQ(counters.decrypt_failures, 2u);
  EXPECT_EQ(pair.server.peer->state(), PeerState::Connected);
  EXPECT_TRUE(pair.server.listener.rtp.empty());
  EXPECT_TRUE(pair.server.listener.rtcp.empty());
  // Still works afterwards.
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(3, 20, 1)), SendResult::Sent);
  pair.link.flush();
  EXPECT_EQ(pair.server.listener.rtp.size(), 1u);
}

TEST(Peer, TamperedAndReplayedSrtpIsDroppedAndCounted) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  std::vector<std::uint8_t> captured;
  bool flip = true;
  pair.server.tap->tamper = [&](std::span<std::uint8_t> datagram) {
    captured.assign(datagram.begin(), datagram.end());
    if (flip) datagram[20] ^= 0x01;  // one payload bit
  };
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(10, 100, 7)), SendResult::Sent);
  EXPECT_EQ(test::send_rtcp(*pair.client.peer, rtcp_receiver_report(5)), SendResult::Sent);
  pair.link.flush();
  EXPECT_TRUE(pair.server.listener.rtp.empty());
  EXPECT_TRUE(pair.server.listener.rtcp.empty());
  // Byte 20 is payload in the SRTP packet and part of the tag in the 28-byte SRTCP packet.
  EXPECT_EQ(pair.server.peer->counters().decrypt_failures, 2u);
  flip = false;
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(11, 100, 7)), SendResult::Sent);
  pair.link.flush();
  ASSERT_EQ(pair.server.listener.rtp.size(), 1u);
  // The same protected packet again: the replay window rejects it.
  pair.server.tap->tamper = nullptr;
  pair.server.tap->inject(captured);
  EXPECT_EQ(pair.server.listener.rtp.size(), 1u);
  EXPECT_EQ(pair.server.peer->counters().replays, 1u);
  EXPECT_EQ(pair.server.peer->state(), PeerState::Connected);
}

}  // namespace
}  // namespace rrtc::transport
