// Hostile and careless input: garbage packets, malformed DCEP, teardown with traffic and timers
// in flight, many associations created and destroyed (run under ASan), two worker threads.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "../../fuzz/sctp/association_pair.hpp"
#include "../../fuzz/sctp/input_harness.hpp"

namespace rrtc::sctp {
namespace {

using testing::AssociationPair;

ChannelInit channel_init(std::string label) {
  ChannelInit init;
  init.label = std::move(label);
  return init;
}

bool exchange_one(AssociationPair& pair, std::uint16_t id, const std::string& text) {
  const std::size_t before = pair.server_events().messages.size();
  if (pair.client().send_text(id, text) != SendResult::Sent) return false;
  return pair.run_until([&] {
    return pair.server_events().messages.size() == before + 1 &&
           pair.server_events().messages.back().text() == text;
  });
}

std::uint16_t open_from_client(AssociationPair& pair, const std::string& label) {
  const OpenResult result = pair.client().open_channel(channel_init(label));
  EXPECT_TRUE(result.id.has_value());
  EXPECT_TRUE(pair.run_until([&] { return !pair.server_events().opened.empty(); }));
  return result.id.value_or(0);
}

TEST(SctpRobustness, GarbageNeverCrashesAndIsCounted) {
  AssociationPair pair;
  std::vector<std::pair<bool, std::vector<std::uint8_t>>> captured;
  pair.capture = &captured;
  ASSERT_TRUE(pair.bring_up());
  const std::uint16_t id = open_from_client(pair, "chat");
  ASSERT_TRUE(exchange_one(pair, id, "before"));
  pair.capture = nullptr;
  const StackCounters before = stack_counters();
  const std::uint64_t dropped_before = pair.server().counters().packets_dropped;
  const std::uint64_t client_dropped_before = pair.client().counters().packets_dropped;

  std::mt19937 random(1234);
  // Random bytes of every size up to a jumbo frame.
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> junk(random() % 1500);
    for (auto& b : junk) b = static_cast<std::uint8_t>(random());
    pair.server().handle_packet(junk, pair.now());
  }
  // Real packets, truncated at every length, and with one bit flipped (checksum now wrong).
  for (const auto& [to_server, packet] : captured) {
    for (std::size_t cut = 0; cut < packet.size(); cut += 3) {
      pair.server().handle_packet(std::span(packet).first(cut), pair.now());
    }
    std::vector<std::uint8_t> flipped = packet;
    flipped[flipped.size() / 2] ^= 0x10;
    pair.server().handle_packet(flipped, pair.now());
  }
  // Empty and larger than any DTLS record.
  pair.server().handle_packet({}, pair.now());
  const std::vector<std::uint8_t> huge(70'000, 0xAB);
  pair.server().handle_packet(huge, pair.now());

  const StackCounters after = stack_counters();
  EXPECT_GT(after.checksum_errors, before.checksum_errors);
  // Malformed structure (a chunk or parameter length past its end) is dropped before usrsctp
  // (packet_check.hpp); what passes that check and is still wrong, usrsctp drops and counts.
  EXPECT_GT(after.header_drops + after.checksum_errors + pair.server().counters().packets_dropped,
            before.header_drops + before.checksum_errors + dropped_before + 100);
  // Cut to 0 bytes, the empty packet and the huge one never reach usrsctp.
  EXPECT_GE(pair.server().counters().packets_dropped, dropped_before + 2 + captured.size());
  // The process-wide count (/metrics: rrtc_sctp_packets_dropped_total{reason="malformed"}) is
  // exactly the associations' own.
  EXPECT_EQ(after.refused_before_stack - before.refused_before_stack,
            pair.server().counters().packets_dropped - dropped_before +
                pair.client().counters().packets_dropped - client_dropped_before);
  // The association survived all of it.
  EXPECT_EQ(pair.server().state(), AssociationState::Up);
  EXPECT_TRUE(exchange_one(pair, id, "after"));
}

// Rewrites the first DATA chunk carrying DCEP (PPID 50) in a client packet; fixes the checksum.
template <typename Edit>
AssociationPair::Filter edit_dcep(bool& done, Edit edit) {
  return [&done, edit](std::vector<std::uint8_t>& packet) {
    if (done) return true;
    fuzz::for_each_chunk(packet, [&](std::uint8_t type, std::span<std::uint8_t> chunk) {
      if (!done && type == 0 && chunk.size() > 16 && fuzz::load32(chunk.data() + 12) == 50) {
        edit(chunk);
        done = true;
      }
    });
    if (done) fuzz::fix_checksum(packet);
    return true;
  };
}

TEST(SctpRobustness, MalformedDcepOpenIsCountedAndIgnored) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  bool edited = false;
  pair.client_to_server = edit_dcep(edited, [](std::span<std::uint8_t> chunk) {
    chunk[16 + 1] = 0x7E;  // unknown channel type
  });
  ASSERT_TRUE(pair.client().open_channel(channel_init("bad")).id.has_value());
  ASSERT_TRUE(pair.run_until([&] { return pair.server().counters().dcep_errors == 1; }));
  EXPECT_TRUE(edited);
  EXPECT_TRUE(pair.server_events().opened.empty());
  EXPECT_EQ(pair.server().state(), AssociationState::Up);
}

TEST(SctpRobustness, DcepOpenOnTheServersParityIsAcceptedWhenFree) {
  // python3-aiortc 1.4 opens channels on odd streams although it is the DTLS client.
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  bool edited = false;
  pair.client_to_server = edit_dcep(edited, [](std::span<std::uint8_t> chunk) {
    chunk[8] = 0;
    chunk[9] = 7;  // an odd stream: the server's own parity
  });
  ASSERT_TRUE(pair.client().open_channel(channel_init("odd")).id.has_value());
  ASSERT_TRUE(pair.run_until([&] { return pair.server_events().opened.size() == 1; }));
  EXPECT_EQ(pair.server().counters().channels_refused, 0u);
  ASSERT_NE(pair.server().channel(7), nullptr);
  EXPECT_EQ(pair.server().channel(7)->label, "odd");
  // The server's own next channel skips the stream the remote took.
  const auto own = pair.server().open_channel(channel_init("mine"));
  ASSERT_TRUE(own.id.has_value());
  EXPECT_NE(*own.id, 7);
}

TEST(SctpRobustness, DcepOpenOnAStreamInUseIsRefused) {
  AssociationPair pair;
  ASSERT_TRUE(pair.bring_up());
  const auto own = pair.server().open_channel(channel_init("mine"));
  ASSERT_TRUE(own.id.has_value());
  bool edited = false;
  pair.client_to_server = edit_dcep(edited, [&](std::span<std::uint8_t> chunk) {
    chunk[8] = static_cast<std::uint8_t>(*own.id >> 8);
    chunk[9] = static_cast<std::uint8_t>(*own.id);
  });
  ASSERT_TRUE(pair.client().open_channel(channel_init("clash")).id.has_value());
  ASSERT_TRUE(pair.run_until([&] { return pair.server().counters().channels_refused == 1; }));
  EXPECT_TRUE(pair.server_events().opened.empty());
}

TEST(SctpRobustness, TooManyRemoteChannelsAreRefused) {
  AssociationConfig server = testing::server_config();
  server.max_channels = 3;
  AssociationPair pair(testing::client_config(), server);
  ASSERT_TRUE(pair.bring_up());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pair.client().open_channel(channel_init("c" + std::to_string(i))).id.has_value());
  }
  ASSERT_TRUE(pair.run_until([&] { return pair.server().counters().channels_refused == 2; }));
  EXPECT_EQ(pair.server_events().opened.size(), 3u);
  // The refused ones are reset, so the client learns they are closed.
  EXPECT_TRUE(pair.run_until([&] { return pair.client_events().closed.size() == 2; }));
}

TEST(SctpRobustness, TeardownWhileTrafficAndTimersAreInFlight) {
  const std::size_t live_before = Association::live_count();
  {
    AssociationPair pair;
    ASSERT_TRUE(pair.bring_up());
    const std::uint16_t id = open_from_client(pair, "bulk");
    const std::vector<std::uint8_t> chunk(20'000, 0x5A);
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(pair.client().send(id, chunk, true), SendResult::Sent);
      ASSERT_EQ(pair.server().send(id, chunk, true), SendResult::Sent);
    }
    pair.deliver(7);  // part-way through
    pair.destroy_server();
    // The client keeps retransmitting into the void; usrsctp's timers for the destroyed server
    // association (SACK, T3) fire with nobody to receive them.
    for (int i = 0; i < 300; ++i) {
      pair.deliver();
      pair.tick(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(Association::live_count(), live_before + 1);
  }
  EXPECT_EQ(Association::live_count(), live_before);
}

TEST(SctpRobustness, ManyAssociationsCreatedAndDestroyed) {
  const std::size_t live_before = Association::live_count();
  for (int cycle = 0; cycle < 200; ++cycle) {
    AssociationPair pair;
    switch (cycle % 5) {
      case 0:
        break;  // never started
      case 1:   // destroyed mid-handshake
        pair.start();
        pair.deliver(1);
        break;
      case 2: {  // up, a channel, traffic in flight
        ASSERT_TRUE(pair.bring_up());
        const auto id = pair.client().open_channel(channel_init("x")).id;
        ASSERT_TRUE(id.has_value());
        pair.client().send_text(*id, "in flight");
        break;
      }
      case 3:  // closed properly first, ABORT delivered
        ASSERT_TRUE(pair.bring_up());
        pair.client().close();
        pair.deliver();
        break;
      case 4: {  // one side closes from inside a callback
        ASSERT_TRUE(pair.bring_up());
        const std::uint16_t id = open_from_client(pair, "y");
        pair.server_events().on_message_hook = [&](const testing::Message&) {
          pair.server().close();
        };
        pair.client().send_text(id, "bye");
        pair.run_until([&] { return pair.server().state() == AssociationState::Closed; });
        EXPECT_EQ(pair.server().state(), AssociationState::Closed);
        pair.tick();
        break;
      }
    }
  }
  EXPECT_EQ(Association::live_count(), live_before);
}

TEST(SctpRobustness, PairsOnTwoThreadsAtOnce) {
  // Two "workers", each owning its own associations, sharing the one usrsctp stack.
  auto worker = [](int cycles, int* completed) {
    for (int i = 0; i < cycles; ++i) {
      AssociationPair pair(testing::client_config(), testing::server_config(), true);
      if (!pair.bring_up()) return;
      const auto id = pair.client().open_channel(channel_init("t")).id;
      if (!id) return;
      if (!pair.run_until([&] { return !pair.server_events().opened.empty(); })) return;
      for (int m = 0; m < 20; ++m) pair.client().send_text(*id, std::to_string(m));
      if (!pair.run_until([&] { return pair.server_events().messages.size() == 20; })) return;
      for (int m = 0; m < 20; ++m) {
        if (pair.server_events().messages[static_cast<std::size_t>(m)].text() !=
            std::to_string(m)) {
          return;
        }
      }
      ++*completed;
    }
  };
  int first = 0;
  int second = 0;
  std::thread a(worker, 30, &first);
  std::thread b(worker, 30, &second);
  a.join();
  b.join();
  EXPECT_EQ(first, 30);
  EXPECT_EQ(second, 30);
}

}  // namespace
}  // namespace rrtc::sctp

namespace rrtc::sctp {
namespace {

std::size_t entries(const char* directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++count;
  return count;
}

std::size_t threads_named(const std::string& name) {
  std::size_t count = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    std::getline(comm, line);
    count += line == name ? 1 : 0;
  }
  return count;
}

// ThreadSanitizer starts a background thread of its own with the process's first pthread_create:
// when only the main thread has existed so far, usrsctp's iterator brings that one along.
std::size_t sanitizer_threads(std::size_t threads_before) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return threads_before == 1 ? 1 : 0;
#endif
#endif
  static_cast<void>(threads_before);
  return 0;
}

// usrsctp runs without a timer thread or sockets of its own (usrsctp_init_nothreads, port 0).
// Run alone (as CTest does), this test is the first to touch the stack: the only thread it adds
// is usrsctp's idle iterator thread, and no callback ever arrives on it.
TEST(SctpRobustness, TheStackRunsNoTimerThreadAndOpensNoSocket) {
  const std::size_t threads = entries("/proc/self/task");
  const std::size_t files = entries("/proc/self/fd");
  // The iterator names itself once it runs, so only an earlier-started one is seen by name.
  const std::size_t iterators = threads_named("SCTP iterator");
  {
    AssociationPair pair;
    ASSERT_TRUE(pair.bring_up());
    const auto id = pair.client().open_channel(channel_init("t")).id;
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE(exchange_one(pair, *id, "x"));
    EXPECT_EQ(entries("/proc/self/fd"), files);
    EXPECT_EQ(entries("/proc/self/task"), threads + 1 - iterators + sanitizer_threads(threads));
  }
  EXPECT_EQ(stack_counters().foreign_thread_callbacks, 0u);
}

}  // namespace
}  // namespace rrtc::sctp
