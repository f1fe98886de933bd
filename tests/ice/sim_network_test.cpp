#include "ice/sim_network.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "io/sim_loop.hpp"
#include "recording_listener.hpp"

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using test::RecordingListener;

std::int64_t since_epoch(time::Timestamp t) { return (t - io::SimLoop::kEpoch).count(); }

std::vector<uint8_t> datagram(std::size_t size, uint8_t fill) {
  return std::vector<uint8_t>(size, fill);
}

// One pair on a fresh network, both sides listened to, arrival times recorded.
class SimNetworkTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kSeed = 0x5eed;

  void create(const LinkConfig& a_to_b = {}, const LinkConfig& b_to_a = {}) {
    SimPair pair = network_.create_pair(a_to_b, b_to_a);
    path_.emplace(pair.path);
    a_ = std::move(pair.a);
    b_ = std::move(pair.b);
    a_->set_listener(&la_);
    b_->set_listener(&lb_);
    lb_.on_receive = [this](std::span<uint8_t> d) {
      arrivals_.push_back(since_epoch(loop_.now()));
      first_bytes_.push_back(d.empty() ? 0 : d[0]);
    };
  }

  // Exchanges credentials and runs until both sides are Connected.
  void connect() {
    ASSERT_TRUE(a_->set_remote_credentials(b_->local_credentials()));
    ASSERT_TRUE(b_->set_remote_credentials(a_->local_credentials()));
    ASSERT_TRUE(loop_.run_until(
        [&] { return la_.saw(IceState::Connected) && lb_.saw(IceState::Connected); }, 10s));
  }

  io::SimLoop loop_;
  SimNetwork network_{loop_, kSeed};
  std::optional<SimPath> path_;
  std::unique_ptr<MemoryTransport> a_;
  std::unique_ptr<MemoryTransport> b_;
  RecordingListener la_;
  RecordingListener lb_;
  std::vector<std::int64_t> arrivals_;  // at B, microseconds since the epoch
  std::vector<uint8_t> first_bytes_;
};

TEST_F(SimNetworkTest, GathersOneCandidateThenConnectsAfterOneRoundTrip) {
  LinkConfig a_to_b;
  a_to_b.delay = 30ms;
  LinkConfig b_to_a;
  b_to_a.delay = 10ms;
  create(a_to_b, b_to_a);
  EXPECT_TRUE(la_.candidates.empty());  // nothing inline
  loop_.advance(0us);
  ASSERT_EQ(la_.candidates.size(), 1u);
  ASSERT_EQ(lb_.candidates.size(), 1u);
  EXPECT_EQ(la_.candidates[0], "candidate:1 1 udp 2130706431 192.0.2.1 10000 typ host");
  EXPECT_EQ(lb_.candidates[0], "candidate:1 1 udp 2130706431 198.51.100.1 10000 typ host");
  EXPECT_TRUE(la_.gathering_done && lb_.gathering_done);
  EXPECT_EQ(b_->add_remote_candidate(la_.candidates[0]), CandidateResult::Added);
  EXPECT_NE(a_->local_credentials().ufrag, b_->local_credentials().ufrag);
  EXPECT_TRUE(valid_credentials(a_->local_credentials()));
  EXPECT_TRUE(valid_credentials(b_->local_credentials()));

  const time::Timestamp start = loop_.now();
  ASSERT_TRUE(a_->set_remote_credentials(b_->local_credentials()));
  ASSERT_TRUE(b_->set_remote_credentials(a_->local_credentials()));
  loop_.advance(0us);
  EXPECT_EQ(la_.states, (std::vector<IceState>{IceState::Checking}));
  EXPECT_FALSE(a_->send(datagram(10, 1)));  // not before Connected
  loop_.advance(39999us);
  EXPECT_EQ(lb_.states, (std::vector<IceState>{IceState::Checking}));
  loop_.advance(1us);
  EXPECT_EQ(loop_.now() - start, 40ms);
  EXPECT_EQ(la_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  EXPECT_EQ(lb_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
}

TEST_F(SimNetworkTest, WrongPasswordFailsBothSides) {
  create();
  IceCredentials wrong = b_->local_credentials();
  wrong.pwd.back() = wrong.pwd.back() == 'x' ? 'y' : 'x';
  ASSERT_TRUE(a_->set_remote_credentials(wrong));
  ASSERT_TRUE(b_->set_remote_credentials(a_->local_credentials()));
  loop_.run_until_idle(1s);
  EXPECT_EQ(la_.last_state(), IceState::Failed);
  EXPECT_EQ(lb_.last_state(), IceState::Failed);
}

TEST_F(SimNetworkTest, DelayIsExactAndDeliveryNeverInline) {
  LinkConfig a_to_b;
  a_to_b.delay = 25ms;
  create(a_to_b);
  connect();
  const std::int64_t sent_at = since_epoch(loop_.now());
  EXPECT_TRUE(a_->send(datagram(100, 7)));
  EXPECT_TRUE(a_->send(datagram(100, 8)));
  EXPECT_TRUE(lb_.datagrams.empty());
  loop_.run_until_idle(1s);
  EXPECT_EQ(arrivals_, (std::vector<std::int64_t>{sent_at + 25000, sent_at + 25000}));
  EXPECT_EQ(first_bytes_, (std::vector<uint8_t>{7, 8}));
  const LinkCounters counters = path_->counters(Side::A);
  EXPECT_EQ(counters.sent, 2u);
  EXPECT_EQ(counters.delivered, 2u);
  EXPECT_EQ(counters.bytes_sent, 200u);
  EXPECT_EQ(counters.bytes_delivered, 200u);
  EXPECT_EQ(path_->counters(Side::B), LinkCounters{});
}

TEST_F(SimNetworkTest, BandwidthSerializesAndAFullQueueDrops) {
  LinkConfig a_to_b;
  a_to_b.delay = 10ms;
  a_to_b.bandwidth = 1'000'000;  // 1000 bytes take 8 ms
  a_to_b.queue_limit = 3000;
  create(a_to_b);
  connect();
  const std::int64_t t0 = since_epoch(loop_.now());
  for (uint8_t i = 0; i < 5; ++i) a_->send(datagram(1000, i));  // the 4th and 5th do not fit
  loop_.run_until_idle(1s);
  EXPECT_EQ(arrivals_, (std::vector<std::int64_t>{t0 + 18000, t0 + 26000, t0 + 34000}));
  EXPECT_EQ(first_bytes_, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_EQ(path_->counters(Side::A).dropped_queue, 2u);
  EXPECT_EQ(path_->counters(Side::A).delivered, 3u);
  // The queue drains as the link serializes: 8 ms later one more fits.
  arrivals_.clear();
  const std::int64_t t1 = since_epoch(loop_.now());
  for (uint8_t i = 0; i < 3; ++i) a_->send(datagram(1000, i));
  loop_.advance(8ms);
  EXPECT_TRUE(a_->send(datagram(1000, 3)));
  loop_.run_until_idle(1s);
  EXPECT_EQ(arrivals_, (std::vector<std::int64_t>{t1 + 18000, t1 + 26000, t1 + 34000, t1 + 42000}));
  EXPECT_EQ(path_->counters(Side::A).dropped_queue, 2u);
}

TEST_F(SimNetworkTest, JitterKeepsOrderAndStaysInItsRange) {
  LinkConfig a_to_b;
  a_to_b.delay = 20ms;
  a_to_b.jitter = 15ms;
  create(a_to_b);
  connect();
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(since_epoch(loop_.now()));
    a_->send(datagram(50, static_cast<uint8_t>(i)));
    loop_.advance(1ms);
  }
  loop_.run_until_idle(1s);
  ASSERT_EQ(arrivals_.size(), 200u);
  bool some_jitter = false;
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    EXPECT_EQ(first_bytes_[i], static_cast<uint8_t>(i));
    EXPECT_GE(arrivals_[i] - sent[i], 20000);
    if (i > 0) EXPECT_GE(arrivals_[i], arrivals_[i - 1]);
    // Held back only by the datagram before it, which left 1 ms earlier with at most 35 ms.
    EXPECT_LE(arrivals_[i] - sent[i], 35000);
    some_jitter = some_jitter || arrivals_[i] - sent[i] != 20000;
  }
  EXPECT_TRUE(some_jitter);
}

TEST_F(SimNetworkTest, ReorderedDatagramsAreOvertaken) {
  LinkConfig a_to_b;
  a_to_b.delay = 5ms;
  a_to_b.reorder = 0.3;
  a_to_b.reorder_delay = 10ms;
  create(a_to_b);
  connect();
  for (int i = 0; i < 100; ++i) {
    a_->send(datagram(50, static_cast<uint8_t>(i)));
    loop_.advance(1ms);
  }
  loop_.run_until_idle(1s);
  ASSERT_EQ(first_bytes_.size(), 100u);
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < first_bytes_.size(); ++i) {
    if (first_bytes_[i] < first_bytes_[i - 1]) ++out_of_order;
  }
  EXPECT_GT(out_of_order, 10u) << "seed " << network_.seed();
  EXPECT_EQ(path_->counters(Side::A).delivered, 100u);
}

TEST_F(SimNetworkTest, LossSwitchedOnAtRunTimeIsCountedAndSeeded) {
  create();
  connect();
  for (int i = 0; i < 100; ++i) a_->send(datagram(20, 1));
  loop_.run_until_idle(1s);
  EXPECT_EQ(path_->counters(Side::A).dropped_loss, 0u);
  LinkConfig lossy = path_->link(Side::A);
  lossy.loss = 0.25;
  path_->set_link(Side::A, lossy);
  EXPECT_EQ(path_->link(Side::A).loss, 0.25);
  for (int i = 0; i < 2000; ++i) a_->send(datagram(20, 1));
  loop_.run_until_idle(1s);
  const LinkCounters counters = path_->counters(Side::A);
  EXPECT_EQ(counters.sent, 2100u);
  EXPECT_EQ(counters.delivered + counters.dropped_loss, 2100u);
  EXPECT_EQ(lb_.datagrams.size(), counters.delivered);
  // 25 % of 2000, within five standard deviations (~19.4 each).
  EXPECT_NEAR(static_cast<double>(counters.dropped_loss), 500.0, 100.0)
      << "seed " << network_.seed();
}

// The same seed and the same calls give the same counters; another seed gives others.
LinkCounters lossy_run(std::uint64_t seed) {
  io::SimLoop loop;
  SimNetwork network(loop, seed);
  LinkConfig config;
  config.delay = 5ms;
  config.jitter = 3ms;
  config.loss = 0.05;
  SimPair pair = network.create_pair(config, config);
  pair.a->set_remote_credentials(pair.b->local_credentials());
  pair.b->set_remote_credentials(pair.a->local_credentials());
  loop.run_until_idle(1s);
  for (int i = 0; i < 1000; ++i) {
    pair.a->send(datagram(100, 0));
    pair.b->send(datagram(100, 0));
    loop.advance(1ms);
  }
  loop.run_until_idle(1s);
  const LinkCounters a = pair.path.counters(Side::A);
  const LinkCounters b = pair.path.counters(Side::B);
  EXPECT_EQ(a.sent, 1000u);
  EXPECT_EQ(a.delivered + a.dropped_loss, 1000u);
  EXPECT_NE(a.dropped_loss, b.dropped_loss);  // the two directions draw independently
  return a;
}

TEST(SimNetworkSeed, SameSeedSameCountersOtherSeedOtherCounters) {
  const LinkCounters first = lossy_run(42);
  EXPECT_EQ(lossy_run(42), first);
  EXPECT_GT(first.dropped_loss, 20u);
  EXPECT_LT(first.dropped_loss, 90u);
  EXPECT_NE(lossy_run(43).dropped_loss, first.dropped_loss);
}

TEST_F(SimNetworkTest, ClosingOneSideFailsTheOtherAfterTheConsentTimeout) {
  create();
  connect();
  const time::Timestamp closed_at = loop_.now();
  a_->close();
  EXPECT_FALSE(a_->send(datagram(1, 1)));
  loop_.advance(0us);
  EXPECT_EQ(la_.last_state(), IceState::Closed);
  EXPECT_EQ(lb_.last_state(), IceState::Connected);
  ASSERT_TRUE(loop_.run_until([&] { return lb_.last_state() == IceState::Failed; }, 1min));
  EXPECT_EQ(loop_.now() - closed_at, 5s);
}

TEST_F(SimNetworkTest, ConsentLossAndDestructionAreSafe) {
  create();
  connect();
  EXPECT_TRUE(a_->send(datagram(10, 1)));
  b_.reset();  // the datagram in flight has nowhere to go
  loop_.run_until_idle(10s);
  EXPECT_TRUE(lb_.datagrams.empty());
  EXPECT_EQ(path_->counters(Side::A).delivered, 0u);
  EXPECT_EQ(la_.last_state(), IceState::Failed);
  path_->fail();  // both sides gone or failed: nothing happens
  loop_.run_until_idle(1s);
  EXPECT_EQ(la_.states.size(), 3u);  // Checking, Connected, Failed
}

TEST(SimNetworkPairs, PairsHaveDistinctCredentialsAndCandidates) {
  io::SimLoop loop;
  SimNetwork network(loop, 1);
  SimPair first = network.create_pair();
  SimPair second = network.create_pair();
  EXPECT_EQ(first.path.id(), 0u);
  EXPECT_EQ(second.path.id(), 1u);
  EXPECT_EQ(network.pairs_created(), 2u);
  EXPECT_NE(first.a->local_credentials().ufrag, second.a->local_credentials().ufrag);
  EXPECT_NE(first.b->local_credentials().pwd, second.b->local_credentials().pwd);
  // Credentials of another pair fail the checks.
  first.a->set_remote_credentials(second.b->local_credentials());
  first.b->set_remote_credentials(first.a->local_credentials());
  RecordingListener listener;
  first.a->set_listener(&listener);
  loop.run_until_idle(1s);
  EXPECT_EQ(listener.last_state(), IceState::Failed);
}

}  // namespace
}  // namespace rrtc::ice
