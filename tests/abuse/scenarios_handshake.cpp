// I2 (DTLS, RTP and SCTP from an address ICE never validated, racing a real handshake), D2
// (fragmented, oversized and stalled ClientHellos over a validated pair) and C1 (hostile SCTP over
// a real DTLS association).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <sstream>

#include "crafted.hpp"
#include "rig.hpp"
#include "sctp_attacker.hpp"

namespace rrtc::abuse {
namespace {

constexpr double kMaxCalmGapMs = 200;

void expect_calm(Rig& rig, const char* what) {
  const double gap = rig.calm_max_gap_ms();
  rig.result()[std::string("calm_max_gap_ms_") + what] = gap;
  rig.expect(gap < kMaxCalmGapMs, std::string("calm subscriber gap under 200 ms during ") + what);
}

// The UDP port of the server's first host candidate ("candidate:f 1 udp p 127.0.0.1 PORT typ").
int candidate_port(const std::vector<std::string>& candidates) {
  for (const auto& line : candidates) {
    std::istringstream in(line);
    std::string foundation, component, transport, priority, address;
    int port = 0;
    in >> foundation >> component >> transport >> priority >> address >> port;
    if (port > 0 && (transport == "udp" || transport == "UDP")) return port;
  }
  return 0;
}

Bytes junk(std::uint8_t first, std::size_t size, std::uint32_t seed) {
  Bytes b(size);
  for (auto& byte : b) {
    seed = seed * 1664525u + 1013904223u;
    byte = static_cast<std::uint8_t>(seed >> 24);
  }
  b[0] = first;
  return b;
}

}  // namespace

int scenario_i2(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  rig.sync("before");
  Client& real = rig.add("hot", "hot-pub", true);
  const bool answered =
      rig.wait_until([&] { return !real.server_candidates().empty(); }, std::chrono::seconds(10));
  rig.expect(answered, "the real client got the server's answer");
  if (!answered) return rig.report();
  const int port = rig.on_loop([&] { return candidate_port(real.server_candidates()); });
  rig.expect(port > 0, "the server's answer has a UDP host candidate");
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto hello = client_hello_message({});
  const auto null_hello = client_hello_message({.null_ciphers_only = true});
  const std::vector<Bytes> volley = {
      handshake_record(hello, 0, hello.size() - 12, 0),
      handshake_record(null_hello, 0, null_hello.size() - 12, 0),
      junk(0x80, 300, 7),                                         // RTP
      junk(0x81, 40, 9),                                          // RTCP-ish
      [] {  // SCTP as DTLS application data (epoch 1), which only a session could decrypt
        auto r = junk(23, 200, 11);
        r[1] = 0xfe;
        r[2] = 0xfd;
        r[3] = 0;
        r[4] = 1;
        r[11] = 0;
        r[12] = 187;
        return r;
      }()};
  const bool connected_at_start = rig.on_loop([&] { return real.phase() == Phase::connected; });
  std::uint64_t sent = 0;
  const auto start = std::chrono::steady_clock::now();
  // Four datagrams a millisecond for 3 s: from before ICE connects until well after.
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    for (const auto& d : volley) {
      if (::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0)
        ++sent;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // pacing, not a wait
  }
  ::close(fd);
  const bool connected = rig.wait_until([&] { return real.phase() == Phase::connected; },
                                        std::chrono::seconds(10));
  rig.result()["unvalidated_datagrams_sent"] = sent;
  rig.result()["blast_started_before_connected"] = !connected_at_start;
  rig.expect(!connected_at_start, "the blast started before the real peer connected");
  rig.expect(connected, "the real peer connected while the blast ran");
  rig.expect(sent > 5000, "over 5,000 unvalidated datagrams sent");
  expect_calm(rig, "blast");
  rig.sync("after", {{"sent", sent}});
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

int scenario_d2(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  rig.sync("before");
  Client& attacker = rig.add("hot", "hot-d2", false, [](Client& c) {
    c.hooks().adjust_config = [](transport::PeerConfig& config) {
      config.dtls.handshake_timeout = std::chrono::seconds(120);
      config.connect_timeout = std::chrono::seconds(120);
    };
    c.hooks().on_started = [&c](const transport::PeerConfig&) { c.tap()->drop_dtls_out = true; };
  });
  const bool ice = rig.wait_until(
      [&] { return attacker.tap() != nullptr && attacker.tap()->state() == ice::IceState::Connected; },
      std::chrono::seconds(20));
  rig.expect(ice, "the attacker's ICE connected");
  if (!ice) return rig.report();
  boost::json::object sent;
  rig.on_loop([&] {
    auto& tap = *attacker.tap();
    std::uint64_t seq = 0;
    // Oversized: one record of a 15 kB ClientHello (padding extension), and a 40 kB datagram of
    // records claiming more than they hold.
    const auto big = client_hello_message({.padding = 15000});
    tap.send_raw(handshake_record(big, 0, big.size() - 12, seq++));
    Bytes huge;
    for (int i = 0; i < 40; ++i) {
      auto r = handshake_record(big, static_cast<std::size_t>(i) * 300, 300, seq++, 0xfffff0);
      huge.insert(huge.end(), r.begin(), r.end());
    }
    tap.send_raw(huge);
    // Fragments of a message claiming 16 MB, spread over its whole length.
    std::uint64_t fragments = 0;
    for (int i = 0; i < 300; ++i) {
      const auto r = handshake_record(big, static_cast<std::size_t>(i) * 50000 % 14000, 1000,
                                      seq++, 0xfffff0);
      auto shifted = r;
      // fragment_offset spread over 16 MB (the header sits after the 13-byte record header).
      const std::uint32_t offset = static_cast<std::uint32_t>(i) * 55000;
      shifted[13 + 6] = static_cast<std::uint8_t>(offset >> 16);
      shifted[13 + 7] = static_cast<std::uint8_t>(offset >> 8);
      shifted[13 + 8] = static_cast<std::uint8_t>(offset);
      fragments += tap.send_raw(shifted) ? 1 : 0;
    }
    sent["huge_claim_fragments"] = fragments;
    // Fragmented: a normal ClientHello in 40-byte fragments, last first, each twice.
    const auto hello = client_hello_message({});
    std::uint64_t pieces = 0;
    const std::size_t body = hello.size() - 12;
    for (std::size_t off = (body - 1) / 40 * 40 + 40; off > 0;) {
      off -= 40;
      for (int twice = 0; twice < 2; ++twice)
        pieces += tap.send_raw(handshake_record(hello, off, 40, seq++)) ? 1 : 0;
    }
    sent["small_fragments"] = pieces;
    // And the NULL-cipher offer over the validated pair.
    const auto null_hello = client_hello_message({.null_ciphers_only = true});
    tap.send_raw(handshake_record(null_hello, 0, null_hello.size() - 12, seq++));
  });
  rig.result()["sent"] = sent;
  // A handshake that stalls after the ClientHello: a second client lets its Peer's real
  // ClientHello out and nothing after it.
  Client& staller = rig.add("hot", "hot-d2-stall", false, [](Client& c) {
    c.hooks().adjust_config = [](transport::PeerConfig& config) {
      config.dtls.handshake_timeout = std::chrono::seconds(120);
      config.connect_timeout = std::chrono::seconds(120);
    };
    c.hooks().on_started = [&c](const transport::PeerConfig&) {
      c.tap()->drop_dtls_out = true;
      c.tap()->dtls_out_allowance = 1;
    };
  });
  const bool hello = rig.wait_until(
      [&] { return staller.tap() != nullptr && staller.tap()->dtls_dropped() > 0; },
      std::chrono::seconds(20));
  rig.expect(hello, "the staller's ClientHello went out and its next flight was held back");
  rig.on_loop([&] { rig.calm_subscriber()->start_measuring(); });
  rig.sync("stall_start", {{"sent", sent}});
  expect_calm(rig, "stall");
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

int scenario_c1(Rig& rig) {
  if (!rig.start_calm_pair()) return rig.report();
  rig.sync("before");
  std::unique_ptr<SctpAttacker> attacker;
  Client& client = rig.add("hot", "hot-sctp", false, [&](Client& c) {
    c.hooks().adjust_config = [](transport::PeerConfig& config) {
      config.dtls.handshake_timeout = std::chrono::seconds(120);
      config.connect_timeout = std::chrono::seconds(120);
    };
    c.hooks().on_started = [&](const transport::PeerConfig& config) {
      attacker = std::make_unique<SctpAttacker>(rig.env().loop, *c.tap(), rig.env().certificate,
                                                config.dtls);
      c.tap()->on_ice_state = [&](ice::IceState state) {
        if (state == ice::IceState::Connected) attacker->start();
      };
    };
  });
  const bool up = rig.wait_until([&] { return attacker && attacker->up() && attacker->server_vtag(); },
                                 std::chrono::seconds(20));
  rig.expect(up, "the attacker's own DTLS and SCTP association came up");
  if (!up) {
    rig.on_loop([&] { attacker.reset(); });
    return rig.report();
  }
  boost::json::object sent;
  rig.on_loop([&] {
    const auto vtag = *attacker->server_vtag();
    auto send = [&](const Bytes& chunks, bool good_crc, std::uint32_t tag) {
      return attacker->send_sctp(sctp_packet(5000, tag, chunks, good_crc)) ? 1 : 0;
    };
    std::uint64_t n = 0;
    // Zero-length chunks (a parser that advances by the length field never moves).
    for (int i = 0; i < 50; ++i) {
      n += send(sctp_chunk(0, 0, {}, 0), true, vtag);
      n += send(sctp_chunk(3, 0, {}, 0), true, vtag);
      n += send(sctp_chunk(0xc0, 0, {}, 2), true, vtag);
    }
    sent["zero_length_chunks"] = n;
    n = 0;
    const std::array<std::uint8_t, 12> heartbeat{0, 1, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8};
    for (int i = 0; i < 50; ++i) n += send(sctp_chunk(4, 0, heartbeat), false, vtag);
    sent["bad_crc"] = n;
    n = 0;
    const auto cookie = junk(0x42, 256, 5);
    for (int i = 0; i < 50; ++i) {
      n += send(sctp_chunk(10, 0, cookie), true, vtag);
      n += send(sctp_chunk(10, 0, cookie), true, 0);
    }
    sent["forged_cookie_echo"] = n;
    n = 0;
    for (std::uint32_t i = 0; i < 200; ++i) {
      n += send(forward_tsn_chunk(0x7fffffffU + i * 0x01000000U, 250), true, vtag);
    }
    sent["forward_tsn"] = n;
  });
  rig.result()["sent"] = sent;
  rig.on_loop([&] { rig.calm_subscriber()->start_measuring(); });
  rig.sync("abuse_sent", {{"sent", sent}});
  // Five seconds after: the runner measures the server's CPU over them.
  rig.run_for(std::chrono::seconds(5));
  const auto state = rig.on_loop([&] { return std::string(sctp::to_string(attacker->association_state())); });
  rig.result()["attacker_association_after"] = state;
  rig.sync("quiet_end", {{"association", state}});
  expect_calm(rig, "sctp_abuse");
  rig.on_loop([&] { attacker.reset(); });
  (void)client;
  rig.stop_all();
  rig.sync("left");
  return rig.report();
}

}  // namespace rrtc::abuse
