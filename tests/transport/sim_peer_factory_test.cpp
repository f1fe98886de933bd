// transport::Peers from test::SimPeerFactory on a simulated network and clock: a server-side
// Peer and a client Peer on the pair's other end connect (ICE, DTLS, SRTP) in simulated
// milliseconds; a lossy run repeats exactly with the same seed.

#include "support/sim_peer_factory.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/sim_loop.hpp"
#include "peer_harness.hpp"
#include "transport/loop_peer_timer.hpp"

namespace rrtc::transport {
namespace {

using namespace std::chrono_literals;
using test::certificates;
using test::RecordingListener;

// A server Peer from the factory and a client Peer (DTLS Active) on the other end of its pair,
// both timed by the SimLoop.
class SimRoom {
 public:
  SimRoom(std::uint64_t seed, const ::rrtc::test::SimPeerFactory::Links& links)
      : network_(loop_, seed),
        factory_(network_, certificates().server),
        server_timer_(loop_),
        client_timer_(loop_) {
    factory_.set_links(links);
    server_ = factory_.create(server_timer_, server_listener_);
    server_timer_.set_peer(server_.get());
    client_ = std::make_unique<Peer>(factory_.take_client_end(server_->local_credentials().ufrag),
                                     certificates().client, client_timer_, client_listener_);
    client_timer_.set_peer(client_.get());
  }
  ~SimRoom() {
    // The Peers go first: they cancel their timers.
    server_.reset();
    client_.reset();
  }

  void start() {
    PeerConfig server_config;
    server_config.remote_credentials = client_->local_credentials();
    server_config.dtls.role = dtls::Role::Passive;
    server_config.dtls.remote_fingerprints = {certificates().client->fingerprint()};
    PeerConfig client_config;
    client_config.remote_credentials = server_->local_credentials();
    client_config.dtls.role = dtls::Role::Active;
    client_config.dtls.remote_fingerprints = {certificates().server->fingerprint()};
    ASSERT_EQ(server_->start(server_config), StartResult::Started);
    ASSERT_EQ(client_->start(client_config), StartResult::Started);
  }

  bool connected() const {
    return server_->state() == PeerState::Connected && client_->state() == PeerState::Connected;
  }

  io::SimLoop loop_;
  ice::SimNetwork network_;
  ::rrtc::test::SimPeerFactory factory_;
  LoopPeerTimer server_timer_;
  LoopPeerTimer client_timer_;
  RecordingListener server_listener_;
  RecordingListener client_listener_;
  std::unique_ptr<Peer> server_;
  std::unique_ptr<Peer> client_;
};

::rrtc::test::SimPeerFactory::Links symmetric(time::Duration delay) {
  ::rrtc::test::SimPeerFactory::Links links;
  links.down.delay = delay;
  links.up.delay = delay;
  return links;
}

TEST(SimPeerFactory, ServerAndClientPeersConnectInSimulatedMilliseconds) {
  SimRoom room(7, symmetric(20ms));
  ASSERT_NE(room.server_, nullptr);
  ASSERT_NE(room.client_, nullptr);
  EXPECT_EQ(room.factory_.created(), 1u);
  EXPECT_EQ(room.factory_.take_client_end(std::size_t{0}), nullptr);  // handed out once
  const time::Timestamp start = room.loop_.now();
  room.start();
  const auto real_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(room.loop_.run_until([&] { return room.connected(); }, 10s))
      << "server: " << room.server_->reason() << ", client: " << room.client_->reason();
  // ICE: one round trip (40 ms). DTLS 1.2 (RFC 6347 section 4.2.4), each flight one 20 ms hop:
  // ClientHello; ServerHello..ServerHelloDone; Certificate..Finished (the server is Connected);
  // ChangeCipherSpec + Finished (the client is Connected).
  EXPECT_EQ(room.loop_.now() - start, 40ms + 4 * 20ms);
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, 5s);  // not in real time
  EXPECT_EQ(room.server_listener_.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected}));
  EXPECT_EQ(room.client_listener_.states,
            (std::vector<PeerState>{PeerState::Connecting, PeerState::Connected}));

  // SRTP both ways, each arriving one link delay later.
  const std::vector<std::uint8_t> up = test::rtp_packet(1, 200, 0xab);
  const std::vector<std::uint8_t> down = test::rtp_packet(2, 300, 0xcd);
  ASSERT_EQ(test::send_rtp(*room.client_, up), SendResult::Sent);
  ASSERT_EQ(test::send_rtp(*room.server_, down), SendResult::Sent);
  room.loop_.advance(19999us);
  EXPECT_TRUE(room.server_listener_.rtp.empty());
  room.loop_.advance(1us);
  ASSERT_EQ(room.server_listener_.rtp.size(), 1u);
  EXPECT_EQ(room.server_listener_.rtp[0], up);
  ASSERT_EQ(room.client_listener_.rtp.size(), 1u);
  EXPECT_EQ(room.client_listener_.rtp[0], down);

  // The pair's counters saw every datagram: the handshake flights and the media.
  const std::optional<ice::SimPath> path =
      room.factory_.path(room.server_->local_credentials().ufrag);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->counters(ice::Side::A).sent, room.server_->counters().datagrams_out);
  EXPECT_EQ(path->counters(ice::Side::B).sent, room.client_->counters().datagrams_out);
  EXPECT_EQ(path->counters(ice::Side::A).delivered, room.client_->counters().datagrams_in);
}

TEST(SimPeerFactory, RefusedCreationReturnsNull) {
  io::SimLoop loop;
  ice::SimNetwork network(loop, 1);
  ::rrtc::test::SimPeerFactory factory(network, certificates().server);
  LoopPeerTimer timer(loop);
  RecordingListener listener;
  factory.refuse_next(1);
  EXPECT_EQ(factory.create(timer, listener), nullptr);
  EXPECT_EQ(factory.refused(), 1u);
  auto peer = factory.create(timer, listener);
  ASSERT_NE(peer, nullptr);
  timer.set_peer(peer.get());
  EXPECT_EQ(factory.created(), 1u);
  EXPECT_EQ(factory.path(std::size_t{1}), std::nullopt);
  EXPECT_EQ(factory.take_client_end("no such ufrag"), nullptr);
  loop.run_until_idle(1s);
  EXPECT_EQ(listener.candidates.size(), 1u);  // side A gathers as soon as it exists
  EXPECT_TRUE(listener.gathering_done);
}

// Connects on clean links, switches 5 % loss on both ways, exchanges 400 RTP packets each way;
// returns the datagram counts of both links and what each side decrypted.
struct LossyOutcome {
  std::vector<std::uint64_t> counts;
  bool operator==(const LossyOutcome&) const = default;
};

LossyOutcome lossy_room(std::uint64_t seed) {
  SimRoom room(seed, symmetric(15ms));
  room.start();
  EXPECT_TRUE(room.loop_.run_until([&] { return room.connected(); }, 10s)) << "seed " << seed;
  ice::SimPath path = *room.factory_.path(std::size_t{0});
  for (ice::Side side : {ice::Side::A, ice::Side::B}) {
    ice::LinkConfig lossy = path.link(side);
    lossy.loss = 0.05;
    path.set_link(side, lossy);
  }
  room.server_listener_.keep_media = false;
  room.client_listener_.keep_media = false;
  for (std::uint16_t i = 0; i < 400; ++i) {
    EXPECT_EQ(test::send_rtp(*room.client_, test::rtp_packet(i, 100, 1)), SendResult::Sent);
    EXPECT_EQ(test::send_rtp(*room.server_, test::rtp_packet(i, 100, 2)), SendResult::Sent);
    room.loop_.advance(20ms);
  }
  room.loop_.advance(1s);
  LossyOutcome outcome;
  for (ice::Side side : {ice::Side::A, ice::Side::B}) {
    // Datagram counts only: handshake sizes vary with the ECDSA signatures, so bytes would not
    // repeat (the draws do not depend on sizes without a bandwidth cap).
    const ice::LinkCounters counters = path.counters(side);
    outcome.counts.insert(outcome.counts.end(), {counters.sent, counters.delivered,
                                                 counters.dropped_loss, counters.dropped_queue});
  }
  outcome.counts.push_back(room.server_->counters().rtp_decrypted);
  outcome.counts.push_back(room.client_->counters().rtp_decrypted);
  // What was not lost was decrypted: nothing else goes missing.
  EXPECT_EQ(room.server_->counters().rtp_decrypted, 400 - path.counters(ice::Side::B).dropped_loss);
  EXPECT_EQ(room.client_->counters().rtp_decrypted, 400 - path.counters(ice::Side::A).dropped_loss);
  return outcome;
}

TEST(SimPeerFactory, SameSeedSameCountersWithFivePercentLoss) {
  constexpr std::uint64_t kSeed = 20240614;
  const LossyOutcome first = lossy_room(kSeed);
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  // Both directions lost some, about 5 % of 400 (20; 5 standard deviations is ~22).
  EXPECT_GT(first.counts[2], 0u);
  EXPECT_GT(first.counts[6], 0u);
  EXPECT_LT(first.counts[2], 45u);
  EXPECT_LT(first.counts[6], 45u);
  EXPECT_EQ(lossy_room(kSeed), first);
}

}  // namespace
}  // namespace rrtc::transport
