// transport::LoopPeerTimer on an io::SimLoop: the Peer's deadlines become loop timers that fire
// exactly at the deadline, re-arming replaces, nullopt cancels, and a detached timer calls no one.

#include "transport/loop_peer_timer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "ice/sim_network.hpp"
#include "io/sim_loop.hpp"
#include "peer_harness.hpp"

namespace rrtc::transport {
namespace {

using namespace std::chrono_literals;
using test::certificates;
using test::RecordingListener;

TEST(LoopPeerTimer, ReadsTheLoopsClockAndArmsOneTimer) {
  io::SimLoop loop;
  LoopPeerTimer timer(loop);
  EXPECT_EQ(timer.now(), io::SimLoop::kEpoch);
  loop.advance(3ms);
  EXPECT_EQ(timer.now(), io::SimLoop::kEpoch + 3ms);

  timer.arm(loop.now() + 10ms);
  EXPECT_EQ(timer.armed(), loop.now() + 10ms);
  timer.arm(loop.now() + 4ms);  // replaces the earlier request
  EXPECT_EQ(loop.pending_events(), 1u);
  timer.arm(std::nullopt);
  EXPECT_EQ(timer.armed(), std::nullopt);
  EXPECT_EQ(loop.pending_events(), 0u);

  // Without a Peer, firing calls no one and leaves nothing armed.
  timer.arm(loop.now() + 1ms);
  loop.advance(1ms);
  EXPECT_EQ(timer.armed(), std::nullopt);
  EXPECT_EQ(loop.pending_events(), 0u);
}

TEST(LoopPeerTimer, DrivesThePeersConnectDeadlineToTheMicrosecond) {
  io::SimLoop loop;
  ice::SimNetwork network(loop, 3);
  ice::SimPair pair = network.create_pair();
  LoopPeerTimer timer(loop);
  RecordingListener listener;
  auto peer = std::make_unique<Peer>(std::move(pair.a), certificates().server, timer, listener);
  timer.set_peer(peer.get());

  PeerConfig config;
  config.remote_credentials = pair.b->local_credentials();
  config.dtls.role = dtls::Role::Passive;
  config.dtls.remote_fingerprints = {certificates().client->fingerprint()};
  config.connect_timeout = 2000ms;
  const time::Timestamp started = loop.now();
  ASSERT_EQ(peer->start(config), StartResult::Started);
  // Side B never learns A's credentials: ICE never checks, the connect deadline decides.
  EXPECT_EQ(timer.armed(), started + 2000ms);
  loop.advance(1999999us);
  EXPECT_EQ(peer->state(), PeerState::New);
  loop.advance(1us);
  EXPECT_EQ(peer->state(), PeerState::Failed);
  EXPECT_EQ(peer->reason(), "connect timeout: ICE did not connect within 2000 ms (ICE state: new)");
  EXPECT_EQ(listener.states, (std::vector<PeerState>{PeerState::Failed}));
  EXPECT_EQ(timer.armed(), std::nullopt);
  peer.reset();
  timer.set_peer(nullptr);
  EXPECT_TRUE(loop.run_until_idle(1min));
}

}  // namespace
}  // namespace rrtc::transport
