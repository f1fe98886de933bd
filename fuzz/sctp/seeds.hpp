#pragma once
// Builds the fuzz seeds for sctp_input from live in-memory sessions (see input_harness.hpp for
// the record format). The corpus test regenerates them, checks that each still drives the server
// as intended, and writes them to fuzz/corpus/sctp_input when RRTC_SCTP_WRITE_SEEDS is set.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "input_harness.hpp"

namespace rrtc::sctp::fuzz {

struct Seed {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

// Runs `script` on an established pair and records what the client sent the server meanwhile.
inline std::vector<std::uint8_t> record_client(
    const std::function<void(testing::AssociationPair&)>& script) {
  testing::AssociationPair pair;
  Announced client;
  Announced server;
  pair.client_to_server = [&](std::vector<std::uint8_t>& packet) {
    learn(packet, client);
    return true;
  };
  pair.server_to_client = [&](std::vector<std::uint8_t>& packet) {
    learn(packet, server);
    return true;
  };
  pair.bring_up();
  std::vector<std::vector<std::uint8_t>> sent;
  pair.client_to_server = [&](std::vector<std::uint8_t>& packet) {
    sent.push_back(packet);
    return true;
  };
  script(pair);
  return encode_seed(kHandshake | kPatch | kFixChecksum, std::move(sent),
                     client.initial_tsn.value_or(0), server.initial_tsn.value_or(0));
}

inline ChannelInit seed_channel(std::string label, bool ordered, Reliability reliability,
                                std::uint32_t parameter) {
  ChannelInit init;
  init.label = std::move(label);
  init.protocol = "seed";
  init.parameters.ordered = ordered;
  init.parameters.reliability = reliability;
  init.parameters.reliability_parameter = parameter;
  return init;
}

inline std::vector<Seed> make_seeds() {
  std::vector<Seed> seeds;
  seeds.push_back({"open_text_binary_close", record_client([](testing::AssociationPair& pair) {
                     const auto id =
                         pair.client()
                             .open_channel(seed_channel("chat", true, Reliability::Reliable, 0))
                             .id.value_or(0);
                     pair.client().send_text(id, "hello");
                     const std::uint8_t blob[] = {0, 1, 2, 3};
                     pair.client().send(id, blob, true);
                     pair.client().send_text(id, "");
                     pair.run_until([&] { return pair.server_events().messages.size() == 3; });
                     pair.client().close_channel(id);
                     pair.run_until([&] { return !pair.server_events().closed.empty(); });
                   })});
  seeds.push_back(
      {"unordered_partial_reliable", record_client([](testing::AssociationPair& pair) {
         const auto a =
             pair.client()
                 .open_channel(seed_channel("rtx", false, Reliability::MaxRetransmits, 2))
                 .id.value_or(0);
         const auto b =
             pair.client()
                 .open_channel(seed_channel("ttl", false, Reliability::MaxPacketLifetime, 300))
                 .id.value_or(0);
         pair.run_until([&] { return pair.server_events().opened.size() == 2; });
         for (int i = 0; i < 4; ++i) {
           pair.client().send_text(a, "a" + std::to_string(i));
           pair.client().send_text(b, "b" + std::to_string(i));
         }
         pair.run_until([&] { return pair.server_events().messages.size() == 8; });
       })});
  seeds.push_back({"fragmented_message", record_client([](testing::AssociationPair& pair) {
                     const auto id =
                         pair.client()
                             .open_channel(seed_channel("big", true, Reliability::Reliable, 0))
                             .id.value_or(0);
                     const std::vector<std::uint8_t> big(6000, 0x42);
                     pair.client().send(id, big, true);
                     pair.run_until([&] { return !pair.server_events().messages.empty(); });
                   })});
  // A lone INIT into a server that has not started (no handshake, checksum fixed).
  {
    testing::AssociationPair pair;
    std::vector<std::vector<std::uint8_t>> init;
    pair.client_to_server = [&](std::vector<std::uint8_t>& packet) {
      if (init.empty()) init.push_back(packet);
      return false;
    };
    pair.client().start(pair.now());
    pair.deliver();
    seeds.push_back({"lone_init", encode_seed(kFixChecksum, std::move(init), 0, 0)});
  }
  // Bare DCEP messages (no mode flags): they reach the DCEP round-trip check, and usrsctp as junk.
  {
    DcepOpen open{seed_channel("label", false, Reliability::MaxPacketLifetime, 250).parameters,
                  "label", "proto"};
    std::vector<std::uint8_t> bytes(serialized_size(open));
    write_to(open, bytes);
    seeds.push_back({"dcep_open_bytes", encode_seed(0, {bytes}, 0, 0)});
  }
  return seeds;
}

}  // namespace rrtc::sctp::fuzz
