// Peer data channels: two Peers (server Passive, client Active) over the in-memory ICE pair, each
// running its SCTP association inside DTLS, on the simulated clock.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "peer_harness.hpp"

namespace rrtc::transport {
namespace {

using namespace std::chrono_literals;
using test::PeerPair;
using test::PeerSide;

constexpr std::size_t kServerMaxMessage = 16 * 1024;  // what the server's SDP would advertise
constexpr std::size_t kClientMaxMessage = 32 * 1024;

DataChannelConfig server_data_config() {
  DataChannelConfig config;
  config.max_message_size = kServerMaxMessage;
  config.remote_max_message_size = kClientMaxMessage;
  return config;
}

DataChannelConfig client_data_config() {
  DataChannelConfig config;
  config.max_message_size = kClientMaxMessage;
  config.remote_max_message_size = kServerMaxMessage;
  return config;
}

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<std::uint8_t> pattern(std::size_t size) {
  std::vector<std::uint8_t> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return data;
}

// Started, data channels enabled on both sides, connected and with both associations up.
class PeerDataChannels : public ::testing::Test {
 protected:
  void SetUp() override {
    pair.start();
    ASSERT_EQ(server().peer->enable_data_channels(server_data_config()), EnableDataResult::Enabled);
    ASSERT_EQ(client().peer->enable_data_channels(client_data_config()), EnableDataResult::Enabled);
    ASSERT_TRUE(
        pair.run_until([&] { return server().listener.data_up() && client().listener.data_up(); }));
    ASSERT_TRUE(pair.both_connected());
  }

  PeerSide& server() { return pair.server; }
  PeerSide& client() { return pair.client; }

  // A channel the client opened, once the server has been told of it.
  std::uint16_t client_channel(std::string_view label, const DataChannelParameters& parameters) {
    const OpenDataResult opened = client().peer->open_data_channel(label, "", parameters);
    EXPECT_TRUE(opened.id.has_value()) << to_string(opened.error);
    const std::size_t before = server().listener.data_opened.size();
    EXPECT_TRUE(pair.run_until([&] { return server().listener.data_opened.size() > before; }));
    return opened.id.value_or(0);
  }

  PeerPair pair;
};

TEST_F(PeerDataChannels, AChannelTheClientOpensReachesTheServerWithItsLabel) {
  DataChannelParameters parameters;
  parameters.ordered = false;
  parameters.reliability = DataReliability::MaxRetransmits;
  parameters.reliability_parameter = 3;
  const OpenDataResult opened = client().peer->open_data_channel("chat", "json", parameters);
  ASSERT_TRUE(opened.id.has_value()) << to_string(opened.error);
  // RFC 8832 section 6: the DTLS client opens even stream ids.
  EXPECT_EQ(*opened.id % 2, 0);
  EXPECT_EQ(client().peer->data_channel_id("chat"), opened.id);
  ASSERT_TRUE(pair.run_until([&] { return !server().listener.data_opened.empty(); }));

  ASSERT_EQ(server().listener.data_opened.size(), 1u);
  const test::DataOpened& seen = server().listener.data_opened.front();
  EXPECT_EQ(seen.id, *opened.id);
  EXPECT_EQ(seen.label, "chat");
  EXPECT_EQ(seen.protocol, "json");
  EXPECT_EQ(seen.parameters, parameters);
  EXPECT_EQ(server().peer->data_channel_id("chat"), opened.id);
  const DataChannelInfo* info = server().peer->data_channel(*opened.id);
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->remote_opened);
  EXPECT_EQ(info->label, "chat");
  EXPECT_EQ(server().peer->data_channel_count(), 1u);
  // The opener is not told of its own channel.
  EXPECT_TRUE(client().listener.data_opened.empty());
  EXPECT_EQ(server().listener.data_states, std::vector<DataState>{DataState::Up});
}

TEST_F(PeerDataChannels, AChannelTheServerOpensReachesTheClient) {
  const OpenDataResult opened = server().peer->open_data_channel("relay", "", {});
  ASSERT_TRUE(opened.id.has_value()) << to_string(opened.error);
  EXPECT_EQ(*opened.id % 2, 1);  // the DTLS server's parity
  ASSERT_TRUE(pair.run_until([&] { return !client().listener.data_opened.empty(); }));
  EXPECT_EQ(client().listener.data_opened.front().id, *opened.id);
  EXPECT_EQ(client().listener.data_opened.front().label, "relay");
  EXPECT_EQ(client().peer->data_channel_id("relay"), opened.id);
}

TEST_F(PeerDataChannels, MessagesBothWaysTextAndBinary) {
  const std::uint16_t id = client_channel("chat", {});
  ASSERT_EQ(client().peer->send_data(id, bytes("hello"), false), DataSendResult::Sent);
  const std::vector<std::uint8_t> blob{0, 1, 2, 0xff};
  ASSERT_EQ(server().peer->send_data(id, blob, true), DataSendResult::Sent);
  ASSERT_EQ(server().peer->send_data(id, {}, false), DataSendResult::Sent);  // empty text
  ASSERT_TRUE(pair.run_until([&] {
    return server().listener.data_messages.size() == 1 &&
           client().listener.data_messages.size() == 2;
  }));

  const test::DataMessage& to_server = server().listener.data_messages[0];
  EXPECT_EQ(to_server.id, id);
  EXPECT_EQ(to_server.label, "chat");
  EXPECT_EQ(to_server.text(), "hello");
  EXPECT_FALSE(to_server.binary);
  const test::DataMessage& binary = client().listener.data_messages[0];
  EXPECT_EQ(binary.label, "chat");
  EXPECT_EQ(binary.data, blob);
  EXPECT_TRUE(binary.binary);
  EXPECT_TRUE(client().listener.data_messages[1].data.empty());
  EXPECT_FALSE(client().listener.data_messages[1].binary);

  EXPECT_EQ(server().peer->counters().data_messages_in, 1u);
  EXPECT_EQ(server().peer->counters().data_messages_out, 2u);
  EXPECT_EQ(client().peer->counters().data_messages_in, 2u);
  EXPECT_EQ(client().peer->counters().data_messages_out, 1u);
  EXPECT_GT(server().peer->counters().data_packets_in, 0u);
  EXPECT_GT(server().peer->counters().data_packets_out, 0u);
  EXPECT_EQ(server().peer->counters().data_packets_unsent, 0u);
  EXPECT_EQ(server().peer->counters().data_packets_dropped, 0u);
}

TEST_F(PeerDataChannels, AMessageAtTheRemoteMaximumPassesOneOverIsRefused) {
  const std::uint16_t id = client_channel("files", {});
  // The client may send the server up to the server's a=max-message-size.
  const std::vector<std::uint8_t> largest = pattern(kServerMaxMessage);
  ASSERT_EQ(client().peer->send_data(id, largest, true), DataSendResult::Sent);
  EXPECT_EQ(client().peer->send_data(id, pattern(kServerMaxMessage + 1), true),
            DataSendResult::TooLarge);
  ASSERT_TRUE(pair.run_until([&] { return !server().listener.data_messages.empty(); }));
  // Let anything else in flight arrive: only the one message does.
  pair.run_until([] { return false; }, 50ms);
  ASSERT_EQ(server().listener.data_messages.size(), 1u);
  EXPECT_EQ(server().listener.data_messages[0].data, largest);
  EXPECT_EQ(client().peer->counters().data_messages_out, 1u);
  // The other way the limit is the client's.
  EXPECT_EQ(server().peer->send_data(id, pattern(kClientMaxMessage + 1), true),
            DataSendResult::TooLarge);
  EXPECT_EQ(server().peer->send_data(id, pattern(kClientMaxMessage), true), DataSendResult::Sent);
}

TEST_F(PeerDataChannels, ClosingAChannelReachesBothListeners) {
  const std::uint16_t id = client_channel("chat", {});
  client().peer->close_data_channel(id);
  // Closing: no longer found by label, no longer usable.
  EXPECT_FALSE(client().peer->data_channel_id("chat").has_value());
  EXPECT_EQ(client().peer->send_data(id, bytes("late"), false), DataSendResult::NotOpen);
  ASSERT_TRUE(pair.run_until([&] {
    return !server().listener.data_closed.empty() && !client().listener.data_closed.empty();
  }));
  const std::pair<std::uint16_t, std::string> closed{id, "chat"};
  EXPECT_EQ(server().listener.data_closed, std::vector{closed});
  EXPECT_EQ(client().listener.data_closed, std::vector{closed});
  EXPECT_EQ(server().peer->data_channel_count(), 0u);
  EXPECT_EQ(client().peer->data_channel_count(), 0u);
  EXPECT_FALSE(server().peer->data_channel_id("chat").has_value());
  // The association stays up: a new channel with the same label works.
  client_channel("chat", {});
  EXPECT_EQ(server().peer->data_channel_count(), 1u);
}

TEST_F(PeerDataChannels, ClosingThePeerAbortsTheRemoteAssociationFirst) {
  const std::uint16_t id = client_channel("chat", {});
  server().peer->close();
  EXPECT_FALSE(server().peer->data_channels_up());
  EXPECT_EQ(server().peer->send_data(id, bytes("x"), false), DataSendResult::NotOpen);
  ASSERT_TRUE(pair.run_until([&] { return client().peer->state() == PeerState::Closed; }));
  // The ABORT arrived before close_notify: the channel closed, then the association failed, then
  // the Peer closed.
  EXPECT_EQ(client().listener.data_closed.size(), 1u);
  EXPECT_EQ(client().listener.data_states,
            (std::vector<DataState>{DataState::Up, DataState::Failed}));
  EXPECT_EQ(client().listener.last_reason(), "the peer sent DTLS close_notify");
  // A close() we asked for is not reported, data channels included.
  EXPECT_EQ(server().listener.data_states, std::vector<DataState>{DataState::Up});
  EXPECT_TRUE(server().listener.data_closed.empty());
  EXPECT_FALSE(server().peer->next_timeout().has_value());
}

TEST_F(PeerDataChannels, AListenerMaySendAndCloseFromInsideAMessage) {
  const std::uint16_t id = client_channel("echo", {});
  server().listener.on_data_message_hook = [&](const test::DataMessage& message) {
    EXPECT_EQ(server().peer->send_data(message.id, message.data, message.binary),
              DataSendResult::Sent);
    if (message.text() == "bye") server().peer->close();
  };
  ASSERT_EQ(client().peer->send_data(id, bytes("ping"), false), DataSendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] { return !client().listener.data_messages.empty(); }));
  EXPECT_EQ(client().listener.data_messages[0].text(), "ping");
  ASSERT_EQ(client().peer->send_data(id, bytes("bye"), false), DataSendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] { return client().peer->state() == PeerState::Closed; }));
  EXPECT_EQ(server().peer->state(), PeerState::Closed);
  // The echo of "bye" left before the ABORT and close_notify.
  ASSERT_EQ(client().listener.data_messages.size(), 2u);
  EXPECT_EQ(client().listener.data_messages[1].text(), "bye");
}

// The association's timers are the Peer's deadlines, so its owner runs no tick: every 10 ms while
// SCTP has something to time, once a second when idle (sctp::kBusyTick, kQuietTick).
TEST_F(PeerDataChannels, SctpTimersAreThePeersDeadlines) {
  constexpr auto kBusy = 10ms;
  constexpr auto kQuiet = 1s;
  const std::uint16_t id = client_channel("chat", {});
  // Connected: no DTLS timer and no connect deadline are left, only SCTP's.
  ASSERT_TRUE(
      pair.run_until([&] { return server().peer->next_timeout() == pair.clock.now() + kQuiet; }));
  EXPECT_EQ(server().timer.armed, server().peer->next_timeout());
  // Ten idle seconds wake the server ten times.
  const std::size_t arms = server().timer.arms;
  const time::Timestamp until = pair.clock.now() + 10s;
  ASSERT_TRUE(pair.run_until([&] { return pair.clock.now() >= until; }));
  EXPECT_EQ(server().timer.arms - arms, 10u);
  EXPECT_EQ(server().peer->next_timeout(), until + kQuiet);
  // A send re-arms at once: SCTP's retransmission timer must run while the DATA is in flight.
  ASSERT_EQ(server().peer->send_data(id, bytes("wake"), false), DataSendResult::Sent);
  EXPECT_EQ(server().peer->next_timeout(), until + kBusy);
  EXPECT_EQ(server().timer.armed, until + kBusy);
  ASSERT_TRUE(pair.run_until([&] { return !client().listener.data_messages.empty(); }));
  EXPECT_EQ(client().listener.data_messages[0].text(), "wake");
}

// Without the fixture's set-up: the calls' answers around enabling.
TEST(PeerDataChannelSetup, EnableNeedsAStartedOpenPeerAndHappensOnce) {
  PeerPair pair;
  EXPECT_EQ(pair.server.peer->enable_data_channels({}), EnableDataResult::NotStarted);
  EXPECT_EQ(pair.server.peer->open_data_channel("a", "", {}).error, DataChannelError::NotEnabled);
  pair.start();
  EXPECT_EQ(pair.server.peer->enable_data_channels({}), EnableDataResult::Enabled);
  EXPECT_TRUE(pair.server.peer->data_channels_enabled());
  EXPECT_EQ(pair.server.peer->enable_data_channels({}), EnableDataResult::AlreadyEnabled);
  EXPECT_FALSE(pair.server.peer->data_channels_up());
  EXPECT_EQ(pair.server.peer->open_data_channel("a", "", {}).error, DataChannelError::NotUp);
  EXPECT_EQ(pair.server.peer->send_data(0, bytes("x"), false), DataSendResult::NotOpen);
  pair.client.peer->close();
  EXPECT_EQ(pair.client.peer->enable_data_channels({}), EnableDataResult::PeerClosed);
}

TEST(PeerDataChannelSetup, EnabledAfterConnectingStartsAtOnce) {
  PeerPair pair;
  ASSERT_TRUE(pair.connect());
  EXPECT_FALSE(pair.server.peer->next_timeout().has_value());
  ASSERT_EQ(pair.server.peer->enable_data_channels({}), EnableDataResult::Enabled);
  ASSERT_EQ(pair.client.peer->enable_data_channels({}), EnableDataResult::Enabled);
  ASSERT_TRUE(pair.run_until(
      [&] { return pair.server.listener.data_up() && pair.client.listener.data_up(); }));
  EXPECT_TRUE(pair.server.peer->data_channels_up());
}

TEST(PeerDataChannelSetup, WithoutDataChannelsApplicationDataIsDroppedAndCounted) {
  PeerPair pair;
  pair.start();
  ASSERT_EQ(pair.client.peer->enable_data_channels({}), EnableDataResult::Enabled);
  // The client's INITs reach a server that runs no association.
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server.peer->counters().dtls_in > 0 &&
           pair.server.peer->counters().data_packets_dropped > 0;
  }));
  EXPECT_EQ(pair.server.peer->counters().data_packets_in, 0u);
  EXPECT_FALSE(pair.client.listener.data_up());
}

}  // namespace
}  // namespace rrtc::transport
