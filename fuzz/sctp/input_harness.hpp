#pragma once
// Feeds arbitrary bytes to a DTLS-server-side sctp::Association as incoming SCTP packets, the
// way the fuzz target and the corpus replay test both do.
//
// Input: byte 0 holds mode flags, then records of [2-byte big-endian length][packet bytes].
//   kHandshake   bring a real in-memory client and the server up first; records then arrive as
//                if from that client (and the two keep talking between records)
//   kPatch       overwrite each record's ports and verification tag with the live ones and
//                shift its TSNs by the live initial TSNs (shift_tsns), so a packet recorded from
//                another session (seeds) lands inside the windows
//   kFixChecksum recompute the CRC32c (otherwise usrsctp drops nearly every mutated packet)
// Every record is also parsed as a DCEP message; a parse -> write -> parse that is not the
// identity aborts.

#include <usrsctp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "association_pair.hpp"
#include "sctp/dcep.hpp"

namespace rrtc::sctp::fuzz {

inline constexpr std::uint8_t kHandshake = 1;
inline constexpr std::uint8_t kPatch = 2;
inline constexpr std::uint8_t kFixChecksum = 4;

inline constexpr std::size_t kCommonHeader = 12;

inline std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
inline void store32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Calls fn(type, chunk) for each whole chunk of an SCTP packet (RFC 9260 section 3.2).
template <typename Fn>
void for_each_chunk(std::span<std::uint8_t> packet, Fn&& fn) {
  std::size_t offset = kCommonHeader;
  while (offset + 4 <= packet.size()) {
    const std::size_t length = (std::size_t{packet[offset + 2]} << 8) | packet[offset + 3];
    if (length < 4 || offset + length > packet.size()) return;
    fn(packet[offset], packet.subspan(offset, length));
    offset += (length + 3) & ~std::size_t{3};
  }
}

inline void fix_checksum(std::span<std::uint8_t> packet) {
  if (packet.size() < kCommonHeader) return;
  std::memset(packet.data() + 8, 0, 4);
  const std::uint32_t crc = usrsctp_crc32c(packet.data(), packet.size());
  std::memcpy(packet.data() + 8, &crc, 4);  // usrsctp returns it in wire order
}

// Moves every sequence number in a client-to-server packet by the two initial TSNs: DATA and
// FORWARD-TSN TSNs and RE-CONFIG request numbers count from the client's initial TSN; SACK's
// cumulative ack and RE-CONFIG response numbers from the server's (RFC 9260, RFC 6525).
inline void shift_tsns(std::span<std::uint8_t> packet, std::uint32_t client, std::uint32_t server,
                       bool subtract) {
  auto shift = [&](std::uint8_t* p, std::uint32_t base) {
    store32(p, subtract ? load32(p) - base : load32(p) + base);
  };
  for_each_chunk(packet, [&](std::uint8_t type, std::span<std::uint8_t> chunk) {
    if ((type == 0 && chunk.size() >= 16) || (type == 192 && chunk.size() >= 8)) {
      shift(chunk.data() + 4, client);
    } else if (type == 3 && chunk.size() >= 8) {
      shift(chunk.data() + 4, server);
    } else if (type == 130) {
      std::size_t offset = 4;
      while (offset + 8 <= chunk.size()) {
        std::uint8_t* param = chunk.data() + offset;
        const std::size_t param_type = (std::size_t{param[0]} << 8) | param[1];
        const std::size_t length = (std::size_t{param[2]} << 8) | param[3];
        if (length < 8 || offset + length > chunk.size()) break;
        if (param_type == 13 && length >= 16) {  // outgoing SSN reset request
          shift(param + 4, client);
          shift(param + 8, server);
          shift(param + 12, client);
        } else if (param_type == 16) {  // re-configuration response
          shift(param + 4, server);
        }
        offset += (length + 3) & ~std::size_t{3};
      }
    }
  });
}

// The initiate tag and initial TSN a side announced in its INIT or INIT-ACK.
struct Announced {
  std::optional<std::uint32_t> tag;
  std::optional<std::uint32_t> initial_tsn;
};
inline void learn(std::span<std::uint8_t> packet, Announced& announced) {
  for_each_chunk(packet, [&](std::uint8_t type, std::span<std::uint8_t> chunk) {
    if ((type == 1 || type == 2) && chunk.size() >= 20) {
      announced.tag = load32(chunk.data() + 4);
      announced.initial_tsn = load32(chunk.data() + 16);
    }
  });
}

inline void check_dcep_round_trip(std::span<const std::uint8_t> bytes) {
  const DcepParseResult first = parse_dcep(bytes);
  if (!first.message) return;
  std::vector<std::uint8_t> written(1 + bytes.size());
  std::size_t size = 0;
  if (const auto* open = std::get_if<DcepOpen>(&*first.message)) {
    size = write_to(*open, written);
  } else {
    size = write_to(std::get<DcepAck>(*first.message), written);
  }
  const DcepParseResult second = parse_dcep(std::span(written).first(size));
  if (!second.message || !(*second.message == *first.message)) std::abort();
}

struct FeedResult {
  std::size_t records = 0;
  std::size_t packets_out = 0;
  std::size_t messages = 0;
  std::size_t channels_opened = 0;
  std::uint64_t dcep_errors = 0;
  AssociationState state = AssociationState::New;
};

inline FeedResult feed_server(std::span<const std::uint8_t> input) {
  FeedResult result;
  if (input.empty()) return result;
  const std::uint8_t flags = input[0];
  input = input.subspan(1);
  testing::AssociationPair pair;
  Announced client;
  Announced server;
  pair.client_to_server = [&](std::vector<std::uint8_t>& packet) {
    learn(packet, client);
    return true;
  };
  bool established = false;
  pair.server_to_client = [&](std::vector<std::uint8_t>& packet) {
    learn(packet, server);
    // Once up, the records speak for the client: the real one must not see the server's
    // answers to packets it never sent (it would abort on a SACK for TSNs it never used).
    return !established;
  };
  if ((flags & kHandshake) != 0) {
    pair.bring_up();
    established = true;
  }
  std::vector<std::uint8_t> packet;
  while (input.size() >= 2) {
    const std::size_t length = (std::size_t{input[0]} << 8) | input[1];
    const std::size_t take = std::min(length, input.size() - 2);
    packet.assign(input.begin() + 2, input.begin() + 2 + static_cast<std::ptrdiff_t>(take));
    input = input.subspan(2 + take);
    check_dcep_round_trip(packet);
    if ((flags & kPatch) != 0 && packet.size() >= kCommonHeader) {
      packet[0] = 0x13;
      packet[1] = 0x88;  // 5000
      packet[2] = 0x13;
      packet[3] = 0x88;
      if (server.tag) store32(packet.data() + 4, *server.tag);
      shift_tsns(packet, client.initial_tsn.value_or(0), server.initial_tsn.value_or(0), false);
    }
    if ((flags & kFixChecksum) != 0) fix_checksum(packet);
    pair.server().handle_packet(packet, pair.now());
    ++result.records;
    pair.deliver(10'000);
    pair.tick();
  }
  pair.deliver(10'000);
  result.packets_out = pair.server_events().packets;
  result.messages = pair.server_events().messages.size();
  result.channels_opened = pair.server_events().opened.size();
  result.dcep_errors = pair.server().counters().dcep_errors;
  result.state = pair.server().state();
  return result;
}

// A seed from packets a live client sent its server: verification tags zeroed and sequence
// numbers made relative to the two initial TSNs (what kPatch undoes).
inline std::vector<std::uint8_t> encode_seed(std::uint8_t flags,
                                             std::vector<std::vector<std::uint8_t>> packets,
                                             std::uint32_t client_initial_tsn,
                                             std::uint32_t server_initial_tsn) {
  std::vector<std::uint8_t> seed{flags};
  for (auto& packet : packets) {
    if (packet.size() >= kCommonHeader) {
      std::memset(packet.data() + 4, 0, 4);
      shift_tsns(packet, client_initial_tsn, server_initial_tsn, true);
      fix_checksum(packet);
    }
    seed.push_back(static_cast<std::uint8_t>(packet.size() >> 8));
    seed.push_back(static_cast<std::uint8_t>(packet.size()));
    seed.insert(seed.end(), packet.begin(), packet.end());
  }
  return seed;
}

}  // namespace rrtc::sctp::fuzz
