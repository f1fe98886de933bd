// Relay candidates through a real coturn on 127.0.0.1, started and killed by each test.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "coturn_process.hpp"
#include "ice/nice_transport.hpp"
#include "nice_pair.hpp"

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using test::candidate_type;
using test::CoturnProcess;
using test::loopback_options;
using test::NicePair;
using test::RecordingListener;

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

class NiceTurnTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(coturn_.start()) << coturn_.error(); }

  IceOptions with_turn(IceOptions options, const std::string& query = "",
                       const std::string& password = CoturnProcess::kPassword) {
    options.turn.url = "turn:127.0.0.1:" + std::to_string(coturn_.port()) + query;
    options.turn.username = CoturnProcess::kUser;
    options.turn.credential = password;
    return options;
  }

  bool in_relay_range(uint16_t port) const {
    return port >= coturn_.min_relay_port() && port <= coturn_.max_relay_port();
  }

  // Gathers with `options` and returns the relay candidates announced.
  std::vector<CandidateLine> gather_relays(const IceOptions& options,
                                           std::vector<std::string>& storage) {
    RecordingListener listener;
    auto transport = NiceTransport::create(loop_, resolve_ice_config(options), &listener);
    EXPECT_TRUE(transport);
    if (!transport) {
      return {};
    }
    EXPECT_TRUE(loop_.run_until([&] { return listener.gathering_done; }, 20s)) << coturn_.log();
    storage = listener.candidates;
    std::vector<CandidateLine> relays;
    for (const std::string& line : storage) {
      std::optional<CandidateLine> parsed = parse_candidate_line(line);
      EXPECT_TRUE(parsed) << line;
      if (parsed && parsed->type == "relay") {
        relays.push_back(*parsed);
      }
    }
    transport.reset();
    loop_.run_until([] { return NiceTransport::agents_alive() == 0; }, 5s);
    return relays;
  }

  // The client uses relay candidates only; the server sees nothing else from it.
  void connect_through_relay(const IceOptions& client_options) {
    NicePair pair(loop_);
    pair.create(loopback_options(false), client_options,
                [](const std::string& line) { return candidate_type(line) == "relay"; });
    ASSERT_TRUE(pair.run_until_connected(25s)) << coturn_.log();
    std::optional<NiceTransport::SelectedPair> client = pair.client.transport->selected_pair();
    std::optional<NiceTransport::SelectedPair> server = pair.server.transport->selected_pair();
    ASSERT_TRUE(client && server);
    EXPECT_EQ(client->local_type, "relay");
    EXPECT_EQ(server->remote_type, "relay");
    EXPECT_EQ(server->remote_ip, "127.0.0.1");
    EXPECT_TRUE(in_relay_range(server->remote_port)) << server->remote_port;
    // The client's datagrams need TURN framing, so they go through libnice; the server's host
    // socket sends straight to the relayed address.
    EXPECT_FALSE(pair.client.transport->sends_directly());
    EXPECT_TRUE(pair.server.transport->sends_directly());

    pair.server.listener.on_receive = [&](std::span<uint8_t> d) { pair.server.transport->send(d); };
    ASSERT_TRUE(pair.client.transport->send(bytes("through the relay")));
    ASSERT_TRUE(loop_.run_until([&] { return !pair.client.listener.datagrams.empty(); }, 10s));
    EXPECT_EQ(pair.server.listener.datagrams.at(0), bytes("through the relay"));
    EXPECT_EQ(pair.client.listener.datagrams.at(0), bytes("through the relay"));
  }

  CoturnProcess coturn_;
  io::GlibLoop loop_;
};

TEST_F(NiceTurnTest, ServerGathersARelayCandidate) {
  IceOptions options = with_turn(loopback_options(false));
  options.stun_url = "stun:127.0.0.1:" + std::to_string(coturn_.port());
  std::vector<std::string> all;
  std::vector<CandidateLine> relays = gather_relays(options, all);
  ASSERT_EQ(relays.size(), 1u) << ::testing::PrintToString(all);
  EXPECT_EQ(relays[0].address, "127.0.0.1");
  EXPECT_TRUE(in_relay_range(relays[0].port)) << relays[0].port;
  EXPECT_EQ(relays[0].component, 1u);
}

TEST_F(NiceTurnTest, ServerGathersARelayCandidateOverTcp) {
  std::vector<std::string> all;
  std::vector<CandidateLine> relays =
      gather_relays(with_turn(loopback_options(false), "?transport=tcp"), all);
  ASSERT_EQ(relays.size(), 1u) << ::testing::PrintToString(all);
  EXPECT_TRUE(in_relay_range(relays[0].port)) << relays[0].port;
}

TEST_F(NiceTurnTest, WrongTurnPasswordGivesNoRelayButGatheringEnds) {
  std::vector<std::string> all;
  std::vector<CandidateLine> relays =
      gather_relays(with_turn(loopback_options(false), "", "wrong"), all);
  EXPECT_TRUE(relays.empty()) << ::testing::PrintToString(all);
  EXPECT_FALSE(all.empty());  // the host candidate is still there
}

TEST_F(NiceTurnTest, RelayOnlyClientConnectsAndPassesData) {
  IceOptions client = with_turn(loopback_options(true));
  client.relay_only = true;
  connect_through_relay(client);
}

TEST_F(NiceTurnTest, RelayOnlyClientConnectsOverTurnTcp) {
  IceOptions client = with_turn(loopback_options(true), "?transport=tcp");
  client.relay_only = true;
  connect_through_relay(client);
}

}  // namespace
}  // namespace rrtc::ice
