// Two Associations wired in memory: establishment, channels from either side, messages both
// ways, ordering, large messages, partial reliability, limits, closing.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "../../fuzz/sctp/association_pair.hpp"

namespace rrtc::sctp {
namespace {

using testing::AssociationPair;
using testing::Recorder;

ChannelInit channel_init(std::string label, std::string protocol = {}) {
  ChannelInit init;
  init.label = std::move(label);
  init.protocol = std::move(protocol);
  return init;
}

// Opens a channel from `opener` and pumps until the other side reports it.
std::uint16_t open(AssociationPair& pair, bool from_server, const ChannelInit& init) {
  Association& opener = from_server ? pair.server() : pair.client();
  Recorder& remote = from_server ? pair.client_events() : pair.server_events();
  const std::size_t before = remote.opened.size();
  const OpenResult result = opener.open_channel(init);
  EXPECT_TRUE(result.id.has_value()) << to_string(result.error);
  if (!result.id) return 0;
  EXPECT_TRUE(pair.run_until([&] { return remote.opened.size() > before; }));
  return *result.id;
}

TEST(SctpAssociation, ComesUpOnBothSides) {
  AssociationPair pair;
  EXPECT_EQ(pair.client().state(), AssociationState::New);
  ASSERT_TRUE(pair.bring_up());
  EXPECT_EQ(pair.client_events().states, std::vector{AssociationState::Up});
  EXPECT_EQ(pair.server_events().states, std::vector{AssociationState::Up});
  EXPECT_EQ(pair.client().negotiated_streams(), AssociationConfig{}.max_streams);
  EXPECT_EQ(pair.server().negotiated_streams(), 256);
  ASSERT_TRUE(pair.server().next_timeout().has_value());
  EXPECT_GT(*pair.server().next_timeout(), pair.now());
}

TEST(SctpAssociation, ComesUpWhenOnlyOneSideStartsFirst) {
  AssociationPair pair;
  pair.client().start(pair.now());
  pair.deliver();  // the server sees INIT before its own start()
  pair.server().start(pair.now());
  EXPECT_TRUE(pair.run_until([&] {
    return pair.client().state() == AssociationState::Up &&
           pair.server().state() == AssociationState::Up;
  }));
}

TEST(SctpAssociation, ServerOpensOddChannelsAndClientEvenOnes) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t from_server = open(pair, true, channel_init("chat", "json"));
  const std::uint16_t from_client = open(pair, false, channel_init("files"));
  const std::uint16_t second_from_server = open(pair, true, channel_init("more"));
  EXPECT_EQ(from_server % 2, 1);
  EXPECT_EQ(from_client % 2, 0);
  EXPECT_NE(from_server, second_from_server);
  ASSERT_EQ(pair.client_events().opened.size(), 2u);
  EXPECT_EQ(pair.client_events().opened[0].id, from_server);
  EXPECT_EQ(pair.client_events().opened[0].label, "chat");
  EXPECT_EQ(pair.client_events().opened[0].protocol, "json");
  ASSERT_EQ(pair.server_events().opened.size(), 1u);
  EXPECT_EQ(pair.server_events().opened[0].id, from_client);
  EXPECT_EQ(pair.server_events().opened[0].label, "files");
  // Our own channels are acknowledged by the remote's DATA_CHANNEL_ACK.
  ASSERT_NE(pair.server().channel(from_server), nullptr);
  EXPECT_TRUE(pair.server().channel(from_server)->acknowledged);
  EXPECT_FALSE(pair.server().channel(from_server)->remote_opened);
  EXPECT_TRUE(pair.server().channel(from_client)->remote_opened);
}

TEST(SctpAssociation, OpenChannelBeforeUpIsRefused) {
  AssociationPair pair;
  const OpenResult result = pair.server().open_channel(channel_init("early"));
  EXPECT_FALSE(result.id.has_value());
  EXPECT_EQ(result.error, ChannelError::NotUp);
  EXPECT_EQ(pair.server().send_text(1, "x"), SendResult::NotOpen);
}

TEST(SctpAssociation, TextAndBinaryBothWaysIncludingEmpty) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, false, channel_init("chat"));
  const std::vector<std::uint8_t> blob = {0, 1, 2, 255, 0};
  EXPECT_EQ(pair.client().send_text(id, "hello server"), SendResult::Sent);
  EXPECT_EQ(pair.client().send(id, blob, true), SendResult::Sent);
  EXPECT_EQ(pair.client().send_text(id, ""), SendResult::Sent);
  EXPECT_EQ(pair.server().send_text(id, "hello client"), SendResult::Sent);
  EXPECT_EQ(pair.server().send(id, {}, true), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server_events().messages.size() == 3 && pair.client_events().messages.size() == 2;
  }));
  const auto& at_server = pair.server_events().messages;
  EXPECT_EQ(at_server[0].text(), "hello server");
  EXPECT_FALSE(at_server[0].binary);
  EXPECT_EQ(at_server[1].data, blob);
  EXPECT_TRUE(at_server[1].binary);
  EXPECT_TRUE(at_server[2].data.empty());
  EXPECT_FALSE(at_server[2].binary);
  const auto& at_client = pair.client_events().messages;
  EXPECT_EQ(at_client[0].text(), "hello client");
  EXPECT_TRUE(at_client[1].data.empty());
  EXPECT_TRUE(at_client[1].binary);
  EXPECT_EQ(pair.server().counters().messages_in, 3u);
  EXPECT_EQ(pair.client().counters().messages_out, 3u);
}

TEST(SctpAssociation, TenThousandOrderedMessagesArriveInOrder) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, true, channel_init("ordered"));
  constexpr int kCount = 10'000;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(pair.server().send_text(id, "message " + std::to_string(i)), SendResult::Sent) << i;
  }
  ASSERT_TRUE(pair.run_until([&] { return pair.client_events().messages.size() == kCount; }));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(pair.client_events().messages[static_cast<std::size_t>(i)].text(),
              "message " + std::to_string(i));
  }
  EXPECT_EQ(pair.server().buffered_bytes(), 0u);
}

TEST(SctpAssociation, OneMebibyteMessageArrivesIntactBothWays) {
  AssociationConfig client = testing::client_config();
  AssociationConfig server = testing::server_config();
  for (AssociationConfig* c : {&client, &server}) {
    c->max_message_size = std::size_t{1024} * 1024;
    c->remote_max_message_size = std::size_t{1024} * 1024;
  }
  AssociationPair pair(client, server);
  std::vector<std::pair<bool, std::vector<std::uint8_t>>> captured;
  pair.capture = &captured;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, false, channel_init("bulk"));
  std::vector<std::uint8_t> big(std::size_t{1024} * 1024);
  std::mt19937 random(7);
  std::generate(big.begin(), big.end(), [&] { return static_cast<std::uint8_t>(random()); });
  ASSERT_EQ(pair.client().send(id, big, true), SendResult::Sent);
  ASSERT_EQ(pair.server().send(id, big, true), SendResult::Sent);
  ASSERT_EQ(pair.client().send_text(id, "after"), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server_events().messages.size() == 2 && pair.client_events().messages.size() == 1;
  }));
  EXPECT_EQ(pair.server_events().messages[0].data, big);
  EXPECT_EQ(pair.server_events().messages[1].text(), "after");
  EXPECT_EQ(pair.client_events().messages[0].data, big);
  EXPECT_EQ(pair.server().counters().oversize_dropped, 0u);
  // usrsctp handed it over in parts (partial delivery), which the Association reassembled.
  EXPECT_GT(pair.server().counters().fragments_in, 1u);
  // Every SCTP packet fits one DTLS record on a 1280-byte IPv6 path (RFC 8831 section 5).
  std::size_t largest = 0;
  for (const auto& [direction, packet] : captured) largest = std::max(largest, packet.size());
  EXPECT_GT(largest, 1000u);
  EXPECT_LE(largest, kMaxSctpPacketSize);
}

TEST(SctpAssociation, LargestAllowedLimitIsUsable) {
  // Firefox advertises a=max-message-size:1073741823; the Association caps it at
  // kUnlimitedMessageSize and must still be able to send a message far above usrsctp's default
  // socket buffer.
  AssociationConfig client = testing::client_config();
  AssociationConfig server = testing::server_config();
  client.max_message_size = kUnlimitedMessageSize;
  server.remote_max_message_size = 1'073'741'823;
  AssociationPair pair(client, server);
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, true, channel_init("huge"));
  const std::vector<std::uint8_t> big(std::size_t{3} * 1024 * 1024, 0x33);
  ASSERT_EQ(pair.server().send(id, big, true), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] { return pair.client_events().messages.size() == 1; }));
  EXPECT_EQ(pair.client_events().messages[0].data, big);
  const std::vector<std::uint8_t> over(kUnlimitedMessageSize + 1, 0x44);
  EXPECT_EQ(pair.server().send(id, over, true), SendResult::TooLarge);
}

TEST(SctpAssociation, UnorderedAndPartiallyReliableChannelsCarryTheirParameters) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  struct Case {
    bool ordered;
    Reliability reliability;
    std::uint32_t parameter;
  };
  const Case cases[] = {
      {false, Reliability::Reliable, 0},
      {true, Reliability::MaxRetransmits, 3},
      {false, Reliability::MaxRetransmits, 0},
      {false, Reliability::MaxPacketLifetime, 500},
      {true, Reliability::MaxPacketLifetime, 1500},
  };
  for (const Case& c : cases) {
    ChannelInit init = channel_init("pr");
    init.parameters.ordered = c.ordered;
    init.parameters.reliability = c.reliability;
    init.parameters.reliability_parameter = c.parameter;
    init.parameters.priority = 512;
    const std::uint16_t id = open(pair, true, init);
    const ChannelInfo* remote = pair.client().channel(id);
    ASSERT_NE(remote, nullptr);
    EXPECT_EQ(remote->parameters, init.parameters);
    // Messages flow on it (no loss in memory, so all arrive).
    const std::size_t before = pair.client_events().messages.size();
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(pair.server().send_text(id, std::to_string(i)), SendResult::Sent);
    }
    ASSERT_TRUE(
        pair.run_until([&] { return pair.client_events().messages.size() == before + 20; }));
  }
}

TEST(SctpAssociation, PartiallyReliableChannelGivesUpOnLostMessages) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  ChannelInit init = channel_init("lossy");
  init.parameters.ordered = false;
  init.parameters.reliability = Reliability::MaxRetransmits;
  init.parameters.reliability_parameter = 0;
  const std::uint16_t id = open(pair, true, init);
  // Drop every server packet carrying user data for a while: with 0 retransmissions the sender
  // abandons those messages (FORWARD-TSN) and later ones still arrive.
  bool lossy = true;
  pair.server_to_client = [&](std::vector<std::uint8_t>& packet) {
    // DATA chunk right after the common header.
    return !(lossy && packet.size() > 12 && packet[12] == 0);
  };
  ASSERT_EQ(pair.server().send_text(id, "lost"), SendResult::Sent);
  pair.deliver();
  lossy = false;
  ASSERT_EQ(pair.server().send_text(id, "kept"), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] {
    return std::any_of(pair.client_events().messages.begin(), pair.client_events().messages.end(),
                       [](const testing::Message& m) { return m.text() == "kept"; });
  }));
  for (const auto& m : pair.client_events().messages) EXPECT_NE(m.text(), "lost");
}

TEST(SctpAssociation, OversizeMessagesAreRefusedAndCounted) {
  AssociationConfig client = testing::client_config();
  AssociationConfig server = testing::server_config();
  client.remote_max_message_size = 200'000;  // the client believes the server takes more ...
  server.max_message_size = 100'000;         // ... than the server does
  server.remote_max_message_size = 1000;
  AssociationPair pair(client, server);
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, false, channel_init("limits"));
  const std::vector<std::uint8_t> too_big_to_send(1001, 'x');
  EXPECT_EQ(pair.server().send(id, too_big_to_send, true), SendResult::TooLarge);
  EXPECT_STREQ(to_string(SendResult::TooLarge),
               "message larger than the remote's max-message-size");
  const std::vector<std::uint8_t> exactly(1000, 'y');
  EXPECT_EQ(pair.server().send(id, exactly, true), SendResult::Sent);
  const std::vector<std::uint8_t> too_big_to_receive(150'000, 'z');
  ASSERT_EQ(pair.client().send(id, too_big_to_receive, true), SendResult::Sent);
  ASSERT_EQ(pair.client().send_text(id, "next"), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] {
    return pair.server_events().messages.size() == 1 && pair.client_events().messages.size() == 1;
  }));
  EXPECT_EQ(pair.server_events().messages[0].text(), "next");
  EXPECT_EQ(pair.server().counters().oversize_dropped, 1u);
  EXPECT_EQ(pair.client_events().messages[0].data, exactly);
}

TEST(SctpAssociation, ClosingAChannelClosesItBothWaysAndFreesTheId) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, true, channel_init("short"));
  pair.server().close_channel(id);
  EXPECT_EQ(pair.server().send_text(id, "x"), SendResult::NotOpen);
  ASSERT_TRUE(pair.run_until([&] {
    return !pair.client_events().closed.empty() && !pair.server_events().closed.empty();
  }));
  EXPECT_EQ(pair.client_events().closed, std::vector<std::uint16_t>{id});
  EXPECT_EQ(pair.server_events().closed, std::vector<std::uint16_t>{id});
  EXPECT_EQ(pair.server().channel(id), nullptr);
  EXPECT_EQ(pair.client().channel(id), nullptr);
  // The id is free again and the association still works.
  EXPECT_EQ(open(pair, true, channel_init("again")), id);
  ASSERT_EQ(pair.server().send_text(id, "still here"), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] { return !pair.client_events().messages.empty(); }));
  EXPECT_EQ(pair.client_events().messages.back().text(), "still here");
}

TEST(SctpAssociation, RemoteCloseOfSeveralChannelsIsReported) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t a = open(pair, false, channel_init("a"));
  const std::uint16_t b = open(pair, false, channel_init("b"));
  pair.client().close_channel(a);
  pair.client().close_channel(b);
  ASSERT_TRUE(pair.run_until([&] { return pair.server_events().closed.size() == 2; }));
  std::vector<std::uint16_t> closed = pair.server_events().closed;
  std::sort(closed.begin(), closed.end());
  EXPECT_EQ(closed, (std::vector<std::uint16_t>{std::min(a, b), std::max(a, b)}));
  EXPECT_TRUE(pair.run_until([&] { return pair.client_events().closed.size() == 2; }));
}

TEST(SctpAssociation, CloseAbortsThePeerAndClosesItsChannels) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, true, channel_init("c"));
  pair.client().close();
  EXPECT_EQ(pair.client().state(), AssociationState::Closed);
  EXPECT_FALSE(pair.client().next_timeout().has_value());
  EXPECT_EQ(pair.client().send_text(id, "x"), SendResult::NotOpen);
  ASSERT_TRUE(pair.run_until([&] { return pair.server().state() == AssociationState::Failed; }));
  EXPECT_EQ(pair.server_events().closed, std::vector<std::uint16_t>{id});
  EXPECT_EQ(pair.server_events().states.back(), AssociationState::Failed);
  // close() is not reported to its own listener.
  EXPECT_EQ(pair.client_events().states, std::vector{AssociationState::Up});
  pair.client().close();  // idempotent
}

// usrsctp cannot say when its next timer is due (association.hpp, "Timer cadence"): while packets
// move, and for kBusyHold after, an association asks for a tick every kBusyTick; idle, every
// kQuietTick, at the next multiple of that cadence on the media clock (so associations share
// wake-ups). The pair ticks both every 10 ms whatever they ask; next_timeout() is checked.
TEST(SctpAssociation, TimerCadenceFollowsActivity) {
  AssociationPair pair;
  const auto grid = [](time::Timestamp t, time::Duration period) {
    const auto since = t.time_since_epoch();
    return time::Timestamp(since - since % period + period);
  };
  const auto quiet = [&](const Association& a) {
    return a.next_timeout() == grid(pair.now(), kQuietTick);
  };
  const auto busy = [&](const Association& a) {
    return a.next_timeout() == grid(pair.now(), kBusyTick);
  };
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, false, channel_init("c"));
  pair.tick();
  EXPECT_TRUE(busy(pair.server()));
  EXPECT_TRUE(busy(pair.client()));
  const time::Timestamp last_packet = pair.now();
  ASSERT_TRUE(pair.run_until([&] { return quiet(pair.server()) && quiet(pair.client()); },
                             std::chrono::seconds(1)));
  EXPECT_GE(pair.now() - last_packet, kBusyHold - kBusyTick);
  EXPECT_LE(pair.now() - last_packet, kBusyHold + kBusyTick);
  // Idle: quiet at every tick for the next 10 s (the first heartbeat is 30 s away).
  const time::Timestamp idle_until = pair.now() + std::chrono::seconds(10);
  while (pair.now() < idle_until) {
    ASSERT_EQ(pair.deliver(), 0u);
    pair.tick();
    ASSERT_TRUE(quiet(pair.server()) && quiet(pair.client()));
  }
  // A send makes the sender busy at once: its next tick is the next kBusyTick point, so
  // SCTP's retransmission timer is driven while the DATA is unacknowledged.
  const time::Timestamp last_tick = pair.now();
  ASSERT_EQ(pair.client().send_text(id, "wake"), SendResult::Sent);
  EXPECT_EQ(pair.client().next_timeout(), grid(last_tick, kBusyTick));
  EXPECT_TRUE(quiet(pair.server()));
  pair.deliver();
  EXPECT_EQ(pair.server().next_timeout(), grid(last_tick, kBusyTick));
  ASSERT_TRUE(pair.run_until([&] { return quiet(pair.server()) && quiet(pair.client()); },
                             std::chrono::seconds(1)));
  EXPECT_EQ(pair.server_events().messages.size(), 1u);
}

TEST(SctpAssociation, ListenerMayEchoAndCloseFromCallbacks) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open(pair, false, channel_init("echo"));
  pair.server_events().on_message_hook = [&](const testing::Message& m) {
    if (m.text() == "close") {
      pair.server().close_channel(m.id);
    } else {
      EXPECT_EQ(pair.server().send(m.id, m.data, m.binary), SendResult::Sent);
    }
  };
  ASSERT_EQ(pair.client().send_text(id, "ping"), SendResult::Sent);
  ASSERT_EQ(pair.client().send_text(id, "close"), SendResult::Sent);
  ASSERT_TRUE(pair.run_until([&] {
    return !pair.client_events().messages.empty() && !pair.client_events().closed.empty();
  }));
  EXPECT_EQ(pair.client_events().messages[0].text(), "ping");
}

}  // namespace
}  // namespace rrtc::sctp
