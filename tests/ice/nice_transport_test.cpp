#include "ice/nice_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <utility>

#include "fake_stun_server.hpp"
#include "io/send_ring.hpp"
#include "nice_pair.hpp"

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using test::loopback_options;
using test::NicePair;
using test::RecordingListener;

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

bool has_datagram(const RecordingListener& listener, const std::vector<uint8_t>& wanted) {
  for (const auto& d : listener.datagrams) {
    if (d == wanted) {
      return true;
    }
  }
  return false;
}

// A UDP socket on 127.0.0.1 that is not part of ICE.
class RogueSocket {
 public:
  RogueSocket() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {}
  ~RogueSocket() { ::close(fd_); }
  void send_to(uint16_t port, const std::vector<uint8_t>& data) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(data.size()));
  }

 private:
  int fd_;
};

class NiceTransportTest : public ::testing::Test {
 protected:
  io::GlibLoop loop_;
  NicePair pair_{loop_};
};

TEST_F(NiceTransportTest, OffersALoopbackHostCandidateWhenConfigured) {
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_,
                                         resolve_ice_config(loopback_options(false)), &listener);
  ASSERT_TRUE(transport);
  EXPECT_TRUE(listener.candidates.empty());  // delivered from the loop, never inline
  ASSERT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 10s));
  ASSERT_FALSE(listener.candidates.empty());
  bool loopback_host = false;
  for (const std::string& line : listener.candidates) {
    EXPECT_EQ(line.rfind("candidate:", 0), 0u) << line;  // RTCIceCandidate form, no "a="
    std::optional<CandidateLine> parsed = parse_candidate_line(line);
    ASSERT_TRUE(parsed) << line;
    EXPECT_EQ(parsed->component, 1u);
    loopback_host |= parsed->address == "127.0.0.1" && parsed->type == "host";
  }
  EXPECT_TRUE(loopback_host);
  IceCredentials local = transport->local_credentials();
  EXPECT_TRUE(valid_credentials(local)) << local.ufrag << " " << local.pwd;
}

TEST_F(NiceTransportTest, HonoursThePortRange) {
  // A range picked per process, so parallel runs rarely collide.
  auto base = static_cast<uint16_t>(42000 + (getpid() % 500) * 20);
  IceOptions options = loopback_options(false);
  options.min_port = base;
  options.max_port = static_cast<uint16_t>(base + 19);
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_, resolve_ice_config(options), &listener);
  ASSERT_TRUE(transport);
  ASSERT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 10s));
  ASSERT_FALSE(listener.candidates.empty());
  for (const std::string& line : listener.candidates) {
    std::optional<CandidateLine> parsed = parse_candidate_line(line);
    ASSERT_TRUE(parsed);
    EXPECT_GE(parsed->port, options.min_port) << line;
    EXPECT_LE(parsed->port, options.max_port) << line;
  }
}

TEST_F(NiceTransportTest, AnnouncesThePublicIpInsteadOfTheLocalOne) {
  IceOptions options = loopback_options(false);
  options.public_ip = "192.0.2.7";
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_, resolve_ice_config(options), &listener);
  ASSERT_TRUE(transport);
  ASSERT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 10s));
  ASSERT_FALSE(listener.candidates.empty());
  for (const std::string& line : listener.candidates) {
    std::optional<CandidateLine> parsed = parse_candidate_line(line);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->address, "192.0.2.7") << line;
  }
}

TEST_F(NiceTransportTest, GathersAServerReflexiveCandidateFromTheStunServer) {
  test::FakeStunServer stun(loop_, "198.51.100.5", 40001);
  IceOptions options = loopback_options(false);
  options.stun_url = "stun:127.0.0.1:" + std::to_string(stun.port());
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_, resolve_ice_config(options), &listener);
  ASSERT_TRUE(transport);
  ASSERT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 10s));
  EXPECT_GE(stun.requests(), 1);
  bool srflx = false;
  for (const std::string& line : listener.candidates) {
    std::optional<CandidateLine> parsed = parse_candidate_line(line);
    ASSERT_TRUE(parsed) << line;
    if (parsed->type == "srflx") {
      srflx = true;
      EXPECT_EQ(parsed->address, "198.51.100.5") << line;
      EXPECT_EQ(parsed->port, 40001) << line;
      EXPECT_NE(line.find("raddr 127.0.0.1"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(srflx) << ::testing::PrintToString(listener.candidates);
}

TEST_F(NiceTransportTest, ConnectsOnLoopbackAndCarriesDatagramsBothWays) {
  pair_.create(loopback_options(false), loopback_options(true));
  ASSERT_TRUE(pair_.run_until_connected(20s));
  EXPECT_TRUE(pair_.server.listener.saw(IceState::Checking));
  EXPECT_EQ(pair_.server.rejected_candidates, 0u);
  std::optional<NiceTransport::SelectedPair> selected = pair_.server.transport->selected_pair();
  ASSERT_TRUE(selected);
  EXPECT_EQ(selected->local_ip, "127.0.0.1");
  EXPECT_EQ(selected->remote_ip, "127.0.0.1");
  // Host pairs skip libnice's send path (NiceTransport::DirectPath).
  EXPECT_TRUE(pair_.server.transport->sends_directly());
  EXPECT_TRUE(pair_.client.transport->sends_directly());

  // The server echoes what it receives, from inside the receive callback.
  pair_.server.listener.on_receive = [&](std::span<uint8_t> d) {
    d[0] = 'E';  // the buffer is ours to modify
    pair_.server.transport->send(d);
  };
  ASSERT_TRUE(pair_.client.transport->send(bytes("hello")));
  ASSERT_TRUE(loop_.run_until([&] { return !pair_.client.listener.datagrams.empty(); }, 10s));
  EXPECT_EQ(pair_.server.listener.datagrams[0], bytes("hello"));  // recorded before the hook ran
  EXPECT_EQ(pair_.client.listener.datagrams[0], bytes("Eello"));

  // A burst, back to back.
  std::vector<std::vector<uint8_t>> batch;
  batch.reserve(40);
  for (int i = 0; i < 40; ++i) {
    batch.push_back(bytes("batch-" + std::to_string(i)));
  }
  for (const auto& datagram : batch) EXPECT_TRUE(pair_.client.transport->send(datagram));
  ASSERT_TRUE(loop_.run_until(
      [&] { return pair_.server.listener.datagrams.size() == 1 + batch.size(); }, 10s));
  EXPECT_EQ(pair_.server.listener.datagrams.back()[0], 'b');
}

TEST_F(NiceTransportTest, DirectSendsInsideABatchGoThroughTheRing) {
  std::unique_ptr<io::SendRing> ring = io::SendRing::create(16);
  if (ring == nullptr) GTEST_SKIP() << "io_uring unavailable here";
  pair_.create(loopback_options(false), loopback_options(true));
  ASSERT_TRUE(pair_.run_until_connected(20s));
  pair_.server.transport->set_send_ring(ring.get());
  {
    const io::SendRing::Batch batch(ring.get());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pair_.server.transport->send(bytes("batched-" + std::to_string(i))));
    }
    EXPECT_EQ(ring->sent(), 0u);  // queued until the batch closes
  }
  EXPECT_EQ(ring->sent(), 3u);
  ASSERT_TRUE(pair_.server.transport->send(bytes("alone")));  // no batch: sent at once
  ASSERT_TRUE(loop_.run_until([&] { return pair_.client.listener.datagrams.size() == 4; }, 10s));
  EXPECT_EQ(pair_.client.listener.datagrams[0], bytes("batched-0"));
  EXPECT_EQ(pair_.client.listener.datagrams[2], bytes("batched-2"));
  EXPECT_EQ(pair_.client.listener.datagrams[3], bytes("alone"));
  EXPECT_EQ(ring->sent(), 3u);
  pair_.server.transport->set_send_ring(nullptr);
}

TEST_F(NiceTransportTest, AcceptsDataOnlyFromTheValidatedPair) {
  pair_.create(loopback_options(false), loopback_options(true));
  RogueSocket rogue;
  ASSERT_TRUE(pair_.run_until_connected(20s));
  std::optional<NiceTransport::SelectedPair> selected = pair_.server.transport->selected_pair();
  ASSERT_TRUE(selected);
  rogue.send_to(selected->local_port, bytes("rogue"));
  ASSERT_TRUE(pair_.client.transport->send(bytes("legit")));
  ASSERT_TRUE(
      loop_.run_until([&] { return has_datagram(pair_.server.listener, bytes("legit")); }, 10s));
  EXPECT_FALSE(has_datagram(pair_.server.listener, bytes("rogue")));
}

TEST_F(NiceTransportTest, DropsDataBeforeConnectivity) {
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_,
                                         resolve_ice_config(loopback_options(false)), &listener);
  ASSERT_TRUE(transport);
  ASSERT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 10s));
  std::optional<CandidateLine> host = parse_candidate_line(listener.candidates.at(0));
  ASSERT_TRUE(host);
  RogueSocket rogue;
  rogue.send_to(host->port, bytes("too early"));
  bool timer_fired = false;
  // Give the datagram time to arrive: a loop timer, not a sleep.
  io::TimerHandle timer = loop_.add_timer(200ms, [&] { timer_fired = true; });
  ASSERT_TRUE(loop_.run_until([&] { return timer_fired; }, 5s));
  EXPECT_TRUE(listener.datagrams.empty());
  EXPECT_FALSE(transport->send(bytes("nowhere to go")));
}

TEST_F(NiceTransportTest, ClosedPeerIsDetectedAsFailure) {
  pair_.create(loopback_options(false), loopback_options(true));
  ASSERT_TRUE(pair_.run_until_connected(20s));
  auto start = io::GlibLoop::Clock::now();
  pair_.client.transport.reset();
  ASSERT_TRUE(loop_.run_until([&] { return pair_.server.listener.saw(IceState::Failed); }, 60s));
  auto elapsed = io::GlibLoop::Clock::now() - start;
  // RFC 7675: 30 s after the last answer, which came at most one check (6 s) before the reset;
  // libnice tells at the end of a 10 s window, so up to ~14 s more.
  EXPECT_GE(elapsed, 24s);
  EXPECT_LT(elapsed, 47s);
  EXPECT_EQ(pair_.server.transport->failure_reason().rfind("consent expired: ", 0), 0u)
      << pair_.server.transport->failure_reason();
  EXPECT_EQ(pair_.server.transport->state(), IceState::Failed);
  EXPECT_FALSE(pair_.server.transport->sends_directly());
  EXPECT_FALSE(pair_.server.transport->send(bytes("gone")));
  RecordProperty(
      "failure_detection_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  std::printf("failure detected after %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

TEST_F(NiceTransportTest, CloseRevokesConsentSoThePeerFailsSooner) {
  pair_.create(loopback_options(false), loopback_options(true));
  ASSERT_TRUE(pair_.run_until_connected(20s));
  auto start = io::GlibLoop::Clock::now();
  pair_.client.transport->close();  // closed, not destroyed: the agent answers 403 (RFC 7675)
  ASSERT_TRUE(loop_.run_until([&] { return pair_.server.listener.saw(IceState::Failed); }, 20s));
  auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(io::GlibLoop::Clock::now() - start);
  // Closed right after connecting: without revocation the server fails when consent expires,
  // 30 s or more later (ClosedPeerIsDetectedAsFailure); with it, at its next consent check,
  // within 4-6 s (RFC 7675 section 5.1), and a 403 is final.
  EXPECT_LT(elapsed, 9s);
  EXPECT_EQ(pair_.server.transport->failure_reason(),
            "consent revoked by the peer (STUN 403, RFC 7675 section 5.2)");
  EXPECT_TRUE(pair_.client.listener.saw(IceState::Closed));
  EXPECT_FALSE(pair_.client.transport->sends_directly());
  EXPECT_FALSE(pair_.client.transport->send(bytes("revoked")));
  std::printf("consent revocation detected after %lld ms\n",
              static_cast<long long>(elapsed.count()));
}

TEST_F(NiceTransportTest, EndOfCandidatesBeforeCredentialsAndAnUnreachablePeerFails) {
  // The peer's only candidate is port 9 on loopback, where nothing answers. End-of-candidates
  // and the candidate arrive before the credentials (kept until then). libnice 0.1.21 gives up
  // after its idle timeout (5 s after the last pair failed; measured ~7 s in all) whether or
  // not end-of-candidates came, so this checks the order is accepted and failure is bounded.
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_,
                                         resolve_ice_config(loopback_options(false)), &listener);
  ASSERT_TRUE(transport);
  EXPECT_EQ(transport->add_remote_candidate("a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"),
            CandidateResult::Added);
  EXPECT_EQ(transport->add_remote_candidate(""), CandidateResult::EndOfCandidates);
  EXPECT_EQ(transport->add_remote_candidate("a="), CandidateResult::EndOfCandidates);
  ASSERT_TRUE(transport->set_remote_credentials({"abcd", "0123456789abcdefghijkl"}));
  EXPECT_TRUE(loop_.run_until([&] { return listener.saw(IceState::Failed); }, 25s));
  EXPECT_TRUE(listener.saw(IceState::Checking));
  EXPECT_EQ(transport->state(), IceState::Failed);
  EXPECT_FALSE(transport->send(bytes("x")));
}

TEST_F(NiceTransportTest, RejectsGarbageCandidatesAndStillConnects) {
  pair_.create(loopback_options(false), loopback_options(true));
  NiceTransport& server = *pair_.server.transport;
  const std::pair<std::string, CandidateResult> cases[] = {
      {"garbage", CandidateResult::Malformed},
      {"candidate:", CandidateResult::Malformed},
      {"candidate:1 1 udp 1 127.0.0.1 99999 typ host", CandidateResult::Malformed},
      {"candidate:1 1 udp 1 not-an-ip.local 9 typ host", CandidateResult::Malformed},
      {"candidate:1 1 udp 1 300.1.1.1 9 typ host", CandidateResult::Malformed},
      {"candidate:1 2 udp 1 127.0.0.1 9 typ host", CandidateResult::WrongComponent},
      {std::string(5000, 'c'), CandidateResult::Malformed},
      {std::string("candidate:1 1 udp 1 127.0.0.1 9 typ host\0x", 42), CandidateResult::Malformed},
  };
  for (const auto& [line, expected] : cases) {
    EXPECT_EQ(server.add_remote_candidate(line), expected) << line;
  }
  ASSERT_TRUE(pair_.run_until_connected(20s));
  EXPECT_FALSE(server.set_remote_credentials({"ab", "short"}));
}

TEST_F(NiceTransportTest, BoundsRemoteCandidates) {
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_,
                                         resolve_ice_config(loopback_options(false)), &listener);
  ASSERT_TRUE(transport);
  std::size_t added = 0;
  for (int i = 0; i < 100; ++i) {
    std::string line = "candidate:" + std::to_string(i) + " 1 udp 1 192.0.2.1 " +
                       std::to_string(1000 + i) + " typ host";
    if (transport->add_remote_candidate(line) == CandidateResult::Added) {
      ++added;
    }
  }
  EXPECT_EQ(added, kMaxRemoteCandidates);
}

TEST_F(NiceTransportTest, CloseIsFinalAndReported) {
  RecordingListener listener;
  auto transport = NiceTransport::create(loop_,
                                         resolve_ice_config(loopback_options(false)), &listener);
  ASSERT_TRUE(transport);
  transport->close();
  transport->close();
  EXPECT_EQ(transport->state(), IceState::Closed);
  EXPECT_EQ(transport->add_remote_candidate("candidate:1 1 udp 1 127.0.0.1 9 typ host"),
            CandidateResult::Closed);
  EXPECT_FALSE(transport->set_remote_credentials({"abcd", "0123456789abcdefghijkl"}));
  EXPECT_TRUE(transport->local_credentials().ufrag.empty());
  ASSERT_TRUE(loop_.run_until([&] { return listener.saw(IceState::Closed); }, 5s));
  EXPECT_FALSE(listener.saw(IceState::Connected));
}

// The production shape: a worker thread runs the loop; everything ICE happens on it, and the
// test thread only posts closures and waits for a promise.
TEST(NiceTransportOnWorker, ConnectsAndEchoesOnTheWorkerThread) {
  io::GlibLoop worker;
  worker.start("ice-worker");
  auto pair = std::make_unique<NicePair>(worker);
  std::promise<std::vector<uint8_t>> echoed;
  bool echo_seen = false;  // worker thread
  bool connected = false;  // worker thread
  std::promise<void> created;
  worker.post([&] {
    pair->create(loopback_options(false), loopback_options(true));
    pair->server.listener.on_receive = [&](std::span<uint8_t> d) {
      EXPECT_TRUE(worker.on_loop_thread());
      pair->server.transport->send(d);
    };
    pair->client.listener.on_receive = [&](std::span<uint8_t> d) {
      if (!std::exchange(echo_seen, true)) {
        echoed.set_value(std::vector<uint8_t>(d.begin(), d.end()));
      }
    };
    pair->client.listener.on_state_change = [&](IceState state) {
      if (state == IceState::Connected) {
        connected = true;
        pair->client.transport->send(bytes("worker"));
      }
    };
    created.set_value();
  });
  created.get_future().wait();
  std::future<std::vector<uint8_t>> result = echoed.get_future();
  // A datagram is not promised to arrive (UDP): once connected, send again every 100 ms until
  // the echo comes back.
  for (int i = 0; i < 200 && result.wait_for(100ms) != std::future_status::ready; ++i) {
    worker.post([&] {
      if (connected && !echo_seen) pair->client.transport->send(bytes("worker"));
    });
  }
  ASSERT_EQ(result.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(result.get(), bytes("worker"));
  std::promise<void> destroyed;
  worker.post([&] {
    pair->server.transport.reset();
    pair->client.transport.reset();
    destroyed.set_value();
  });
  destroyed.get_future().wait();
  worker.stop();
  // The agents finish closing on the context, driven from here now that the thread is gone.
  EXPECT_TRUE(worker.run_until([] { return NiceTransport::agents_alive() == 0; }, 5s));
  pair.reset();
}

}  // namespace
}  // namespace rrtc::ice
