// transport::Peer's connect deadline: a Peer that is not Connected within
// PeerConfig::connect_timeout of start() fails once with "connect timeout: ...", whether ICE never
// connected or the remote never finished (or never began) the DTLS handshake. Everything runs
// on the simulated clock, so 30 s pass in no real time.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "peer_harness.hpp"
#include "transport/peer.hpp"

namespace rrtc::transport {
namespace {

using namespace std::chrono_literals;
using test::PeerPair;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool is_dtls(std::span<const uint8_t> datagram) {
  return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

TEST(PeerConnectDeadline, DefaultIsThirtySeconds) { EXPECT_EQ(PeerConfig{}.connect_timeout, 30s); }

TEST(PeerConnectDeadline, StartRefusesANonPositiveTimeout) {
  PeerPair pair;
  auto config = pair.server_config();
  config.connect_timeout = 0ms;
  EXPECT_EQ(pair.server.peer->start(config), StartResult::BadConnectTimeout);
  config.connect_timeout = -1ms;
  EXPECT_EQ(pair.server.peer->start(config), StartResult::BadConnectTimeout);
  EXPECT_FALSE(pair.server.timer.armed.has_value());
  EXPECT_EQ(pair.server.peer->start(pair.server_config()), StartResult::Started);
}

TEST(PeerConnectDeadline, IceThatNeverConnectsFailsThePeerOnce) {
  // The client never learns the server's credentials, so ICE stays New on both sides.
  PeerPair pair;
  const time::Timestamp started = pair.clock.now();
  ASSERT_EQ(pair.server.peer->start(pair.server_config()), StartResult::Started);
  EXPECT_EQ(pair.server.timer.armed, started + 30s);
  ASSERT_TRUE(pair.run_until([&] { return pair.server.peer->state() == PeerState::Failed; }));
  EXPECT_EQ(pair.clock.now(), started + 30s);
  const std::string& reason = pair.server.peer->reason();
  EXPECT_EQ(reason.rfind("connect timeout: ", 0), 0u) << reason;
  EXPECT_TRUE(contains(reason, "ICE did not connect")) << reason;
  EXPECT_EQ(pair.server.listener.states, std::vector<PeerState>{PeerState::Failed});
  EXPECT_EQ(pair.server.listener.last_reason(), reason);
  EXPECT_FALSE(pair.server.timer.armed.has_value());
  // Reported once: a late timer call changes nothing.
  pair.server.peer->handle_timeout(pair.clock.now() + 1h);
  EXPECT_EQ(pair.server.listener.states.size(), 1u);
}

TEST(PeerConnectDeadline, IceConnectedButNoClientHello) {
  // ICE connects, then everything the client sends over DTLS is lost: the passive server waits
  // for a ClientHello that never comes.
  PeerPair pair;
  pair.link.set_drop_hook([](ice::Side from, std::span<const uint8_t> datagram) {
    return from == ice::Side::B && is_dtls(datagram);
  });
  auto server_config = pair.server_config();
  server_config.connect_timeout = 5s;
  auto client_config = pair.client_config();
  client_config.connect_timeout = 60s;
  client_config.dtls.handshake_timeout = 60s;
  const time::Timestamp started = pair.clock.now();
  pair.start(server_config, client_config);
  ASSERT_TRUE(pair.run_until([&] { return pair.server.peer->state() == PeerState::Failed; }));
  EXPECT_EQ(pair.clock.now(), started + 5s);
  EXPECT_EQ(pair.server.peer->reason(),
            "connect timeout: ICE connected but no DTLS ClientHello arrived within 5000 ms");
  EXPECT_EQ(pair.server.listener.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Failed}));
  EXPECT_EQ(pair.server.peer->counters().dtls_in, 0u);
  EXPECT_FALSE(pair.server.timer.armed.has_value());
  // The failed server closed ICE, so the client learns of it through ICE, not a deadline.
  ASSERT_TRUE(pair.run_until([&] { return pair.client.peer->state() == PeerState::Failed; }));
  EXPECT_TRUE(contains(pair.client.peer->reason(), "ICE failed")) << pair.client.peer->reason();
}

TEST(PeerConnectDeadline, HandshakeThatNeverFinishesFailsAtTheDeadline) {
  // The ClientHello arrives but the server's answers are lost; the DTLS handshake deadline is
  // longer than the connect deadline, so the connect deadline ends it.
  PeerPair pair;
  pair.link.set_drop_hook([](ice::Side from, std::span<const uint8_t> datagram) {
    return from == ice::Side::A && is_dtls(datagram);
  });
  auto server_config = pair.server_config();
  server_config.connect_timeout = 4s;
  server_config.dtls.handshake_timeout = 60s;
  auto client_config = pair.client_config();
  client_config.connect_timeout = 60s;
  client_config.dtls.handshake_timeout = 60s;
  const time::Timestamp started = pair.clock.now();
  pair.start(server_config, client_config);
  ASSERT_TRUE(pair.run_until([&] { return pair.server.peer->state() == PeerState::Failed; }));
  EXPECT_EQ(pair.clock.now(), started + 4s);
  EXPECT_EQ(pair.server.peer->reason(),
            "connect timeout: the DTLS handshake did not finish within 4000 ms");
  EXPECT_GT(pair.server.peer->counters().dtls_in, 0u);
  EXPECT_EQ(pair.server.listener.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Failed}));
}

TEST(PeerConnectDeadline, ActivePeerWithoutIceFailsToo) {
  // An active Peer has no DTLS endpoint until ICE connects; its deadline still fires.
  PeerPair pair;
  auto client_config = pair.client_config();
  client_config.connect_timeout = 2s;
  const time::Timestamp started = pair.clock.now();
  ASSERT_EQ(pair.client.peer->start(client_config), StartResult::Started);
  ASSERT_TRUE(pair.run_until([&] { return pair.client.peer->state() == PeerState::Failed; }));
  EXPECT_EQ(pair.clock.now(), started + 2s);
  EXPECT_EQ(pair.client.peer->reason(),
            "connect timeout: ICE did not connect within 2000 ms (ICE state: new)");
}

TEST(PeerConnectDeadline, ConnectedPeerOutlivesTheDeadline) {
  PeerPair pair;
  const time::Timestamp started = pair.clock.now();
  ASSERT_TRUE(pair.connect());
  // Nothing waits for the deadline any more, and firing the timer past it changes nothing.
  for (auto* side : {&pair.server, &pair.client}) {
    EXPECT_NE(side->timer.armed, std::optional<time::Timestamp>(started + 30s));
    side->peer->handle_timeout(started + 31s);
    EXPECT_EQ(side->peer->state(), PeerState::Connected);
    EXPECT_FALSE(side->listener.saw(PeerState::Failed));
  }
}

}  // namespace
}  // namespace rrtc::transport
