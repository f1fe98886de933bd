// transport::Peer when things go wrong: lost flights, timeouts, wrong identities, ICE failure,
// close, and a listener that re-enters the Peer.

#include <gtest/gtest.h>

#include "peer_harness.hpp"
#include "transport/peer.hpp"

namespace rrtc::transport {
namespace {

using test::certificates;
using test::PeerPair;
using test::rtp_packet;
using test::TestClock;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct LossCase {
  const char* name;
  ice::Side from;
  std::size_t dtls_index;  // which of that side's DTLS datagrams is lost
};

class PeerLostFlight : public testing::TestWithParam<LossCase> {};

// OpenSSL 3.0 measures its retransmission timer with its own gettimeofday() clock (see
// dtls/endpoint.hpp): however far a simulated clock is moved, nothing is retransmitted before
// that much real time has passed. So this test, alone, runs the Peers on the real steady clock
// with 30 ms first timeouts and spins (never sleeps) until both connect or 10 s pass.
TEST_P(PeerLostFlight, RetransmissionRecovers) {
  PeerPair pair(TestClock::Mode::Real);
  std::size_t dtls_seen[2] = {0, 0};
  bool dropped = false;
  pair.link.set_drop_hook([&](ice::Side from, std::span<const uint8_t> datagram) {
    if (datagram.empty() || datagram[0] < 20 || datagram[0] > 63) return false;
    const std::size_t index = dtls_seen[from == ice::Side::A ? 0 : 1]++;
    if (dropped || from != GetParam().from || index != GetParam().dtls_index) return false;
    dropped = true;
    return true;
  });
  auto server_config = pair.server_config();
  auto client_config = pair.client_config();
  for (auto* config : {&server_config, &client_config}) {
    config->dtls.initial_retransmit_timeout = std::chrono::milliseconds(30);
    config->dtls.max_retransmit_timeout = std::chrono::milliseconds(120);
  }
  pair.start(server_config, client_config);
  ASSERT_TRUE(pair.run_until([&] { return pair.both_connected(); }));
  EXPECT_TRUE(dropped);
  EXPECT_EQ(pair.link.datagrams_dropped(GetParam().from), 1u);
  // Media flows over the recovered handshake.
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(1, 50, 3)), SendResult::Sent);
  pair.link.flush();
  EXPECT_EQ(pair.server.listener.rtp.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Flights, PeerLostFlight,
                         testing::Values(LossCase{"ClientHello", ice::Side::B, 0},
                                         LossCase{"ServerHelloFlight", ice::Side::A, 0},
                                         LossCase{"ClientFinishedFlight", ice::Side::B, 1},
                                         LossCase{"ServerFinishedFlight", ice::Side::A, 1}),
                         [](const testing::TestParamInfo<LossCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(PeerFailure, HandshakeDeadlineOnTheSimulatedClock) {
  // The handshake deadline is measured on the injected clock only, so a silent server fails the
  // handshake as soon as simulated time passes it, however little real time went by.
  PeerPair pair;
  pair.link.set_drop_hook(
      [](ice::Side from, std::span<const uint8_t>) { return from == ice::Side::A; });
  auto server_config = pair.server_config();
  auto client_config = pair.client_config();
  server_config.dtls.handshake_timeout = std::chrono::seconds(2);
  client_config.dtls.handshake_timeout = std::chrono::seconds(2);
  pair.start(server_config, client_config);
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server.peer->state() == PeerState::Failed &&
           pair.client.peer->state() == PeerState::Failed;
  }));
  EXPECT_TRUE(contains(pair.client.peer->reason(), "handshake timeout"))
      << pair.client.peer->reason();
  EXPECT_EQ(pair.client.listener.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Failed}));
  EXPECT_EQ(pair.client.listener.last_reason(), pair.client.peer->reason());
  EXPECT_FALSE(pair.client.timer.armed.has_value());
}

TEST(PeerFailure, ServerRejectsAClientCertificateThatMatchesNoFingerprint) {
  PeerPair pair;
  auto server_config = pair.server_config();
  server_config.dtls.remote_fingerprints = {certificates().rogue->fingerprint()};
  pair.start(server_config, pair.client_config());
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server.peer->state() == PeerState::Failed &&
           pair.client.peer->state() == PeerState::Failed;
  }));
  EXPECT_TRUE(contains(pair.server.peer->reason(), "fingerprint mismatch"))
      << pair.server.peer->reason();
  EXPECT_EQ(pair.server.listener.last_reason(), pair.server.peer->reason());
  EXPECT_FALSE(pair.server.listener.saw(PeerState::Connected));
  EXPECT_FALSE(pair.client.listener.saw(PeerState::Connected));
  EXPECT_FALSE(pair.server.peer->srtp_profile().has_value());
  // Nothing can be sent, and media injected anyway is not delivered.
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(1, 10, 0)), SendResult::NotConnected);
  pair.server.tap->inject(rtp_packet(1, 10, 0));
  EXPECT_TRUE(pair.server.listener.rtp.empty());
  EXPECT_EQ(pair.server.peer->counters().rtp_decrypted, 0u);
}

TEST(PeerFailure, ClientRejectsAServerCertificateThatMatchesNoFingerprint) {
  PeerPair pair;
  auto client_config = pair.client_config();
  client_config.dtls.remote_fingerprints = {
      certificates().rogue->fingerprint(certificates().rogue->fingerprint().algorithm)};
  pair.start(pair.server_config(), client_config);
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server.peer->state() == PeerState::Failed &&
           pair.client.peer->state() == PeerState::Failed;
  }));
  EXPECT_TRUE(contains(pair.client.peer->reason(), "fingerprint mismatch"))
      << pair.client.peer->reason();
  EXPECT_FALSE(pair.server.listener.saw(PeerState::Connected));
  EXPECT_TRUE(pair.server.listener.rtp.empty());
}

TEST(PeerFailure, IceFailureAfterConnectedFailsThePeer) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  pair.link.fail();  // consent lost
  pair.link.flush();
  for (auto* side : {&pair.server, &pair.client}) {
    EXPECT_EQ(side->peer->state(), PeerState::Failed);
    EXPECT_TRUE(contains(side->peer->reason(), "ICE failed")) << side->peer->reason();
    EXPECT_EQ(side->listener.states.back(), PeerState::Failed);
    EXPECT_EQ(test::send_rtp(*side->peer, rtp_packet(1, 10, 0)), SendResult::NotConnected);
  }
}

TEST(PeerFailure, WrongIcePasswordFailsBeforeDtls) {
  PeerPair pair;
  auto server_config = pair.server_config();
  server_config.remote_credentials.pwd = "wrongpassword0123456789xyz";
  pair.start(server_config, pair.client_config());
  pair.link.flush();
  for (auto* side : {&pair.server, &pair.client}) {
    EXPECT_EQ(side->listener.states,
              (std::vector<PeerState>{PeerState::Connecting, PeerState::Failed}));
    EXPECT_TRUE(contains(side->peer->reason(), "ICE failed"));
    EXPECT_EQ(side->peer->counters().dtls_in, 0u);
  }
}

TEST(PeerFailure, CloseSendsCloseNotifyAndTheOtherSideSeesClosed) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  pair.client.peer->close();
  EXPECT_EQ(pair.client.peer->state(), PeerState::Closed);
  pair.client.peer->close();  // idempotent
  pair.link.flush();
  EXPECT_EQ(pair.server.peer->state(), PeerState::Closed);
  EXPECT_TRUE(contains(pair.server.peer->reason(), "close_notify")) << pair.server.peer->reason();
  EXPECT_EQ(
      pair.server.listener.states,
      (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected, PeerState::Closed}));
  // The closing side asked for it: no callback.
  EXPECT_EQ(pair.client.listener.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected}));
  EXPECT_EQ(test::send_rtp(*pair.server.peer, rtp_packet(1, 10, 0)), SendResult::NotConnected);
  EXPECT_EQ(test::send_rtp(*pair.client.peer, rtp_packet(1, 10, 0)), SendResult::NotConnected);
}

TEST(PeerFailure, CloseDuringTheHandshakeFailsTheOtherSideThroughIce) {
  PeerPair pair;
  pair.start();
  pair.link.flush(6);  // ICE connects; the handshake has started
  pair.server.peer->close();
  ASSERT_TRUE(pair.run_until([&] { return pair.client.peer->state() == PeerState::Failed; }));
  EXPECT_FALSE(pair.client.listener.saw(PeerState::Connected));
}

TEST(PeerFailure, ListenerMayCloseThePeerFromACallback) {
  PeerPair pair;
  pair.server.listener.on_state_hook = [&](PeerState state) {
    if (state == PeerState::Connected) pair.server.peer->close();
  };
  pair.start();
  ASSERT_TRUE(pair.run_until([&] { return pair.client.peer->state() == PeerState::Closed; }));
  // The server's last flight left before its close_notify, so the client connected first.
  EXPECT_EQ(
      pair.client.listener.states,
      (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected, PeerState::Closed}));
  EXPECT_EQ(pair.server.peer->state(), PeerState::Closed);
  EXPECT_FALSE(pair.server.timer.armed.has_value());
}

}  // namespace
}  // namespace rrtc::transport
