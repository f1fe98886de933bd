#pragma once
// A subscriber's side of transport-wide congestion control on the simulated network, as a
// browser does it: every RTP packet the server stamped with the subscriber's transport-wide
// sequence number is recorded with its arrival time on the simulated clock, and send() turns
// what was recorded into transport-cc feedback (bench/loadgen's TransportFeedback) sent on the
// client's Peer. The tests call send() every 100 ms, as Chromium does.
//
// Threading: the simulated loop's only thread.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/sim_loop.hpp"
#include "rtp/packet.hpp"
#include "sdp/capabilities.hpp"
#include "sim_client.hpp"
#include "transport/peer.hpp"
#include "transport_feedback.hpp"

namespace rrtc::engine::test {

// The id `sdp` gives transport-wide-cc (the first a=extmap naming it), 0 if none.
inline std::uint8_t transport_cc_id(const std::string& sdp) {
  const auto uri = sdp.find(sdp::uri::kTransportWideCc);
  if (uri == std::string::npos) return 0;
  const auto line = sdp.rfind("a=extmap:", uri);
  if (line == std::string::npos) return 0;
  return static_cast<std::uint8_t>(std::stoi(sdp.substr(line + 9, 3)));
}

// The transport-wide number in RTP `bytes` under extension `id`.
inline std::optional<std::uint16_t> transport_seq(std::span<const std::uint8_t> bytes,
                                                  std::uint8_t id) {
  std::array<std::uint8_t, 1500> copy{};
  if (bytes.size() > copy.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), copy.begin());
  auto packet = rtp::Packet::parse(std::span(copy).first(bytes.size()));
  if (!packet) return std::nullopt;
  const auto value = packet->extension(id);
  if (!value || value->size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>(((*value)[0] << 8) | (*value)[1]);
}

class SimTransportCc {
 public:
  // Records `client`'s stamped arrivals under extension `id` (replaces its RTP observer; the
  // test's TearDown must clear it, since the observer points here). `also` sees every packet
  // too, before it is recorded.
  void attach(SimClient& client, std::uint8_t id, io::SimLoop& loop,
              SimClient::PacketObserver also = nullptr) {
    client.set_rtp_observer([this, id, &loop, also](std::span<const std::uint8_t> bytes) {
      if (also) also(bytes);
      const auto seq = transport_seq(bytes, id);
      if (!seq) return;
      ++arrivals_;
      feedback_.record(*seq, loop.now().time_since_epoch().count());
    });
  }
  // Feedback for what arrived since the last call.
  void send(SimClient& client) {
    feedback_.flush(0x0B0B0B0B, 0, [&](std::span<const std::uint8_t> message) {
      std::vector<std::uint8_t> buffer(message.size() + transport::kRtcpSendOverhead);
      std::copy(message.begin(), message.end(), buffer.begin());
      client.peer().send_rtcp(buffer, message.size());
      ++messages_;
    });
  }
  std::uint64_t arrivals() const noexcept { return arrivals_; }
  std::uint64_t messages() const noexcept { return messages_; }

 private:
  loadgen::TransportFeedback feedback_;
  std::uint64_t arrivals_ = 0;
  std::uint64_t messages_ = 0;
};

}  // namespace rrtc::engine::test
