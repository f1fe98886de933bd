#pragma once
// Feeds fuzz input to a passive dtls::Endpoint, shared by fuzz_dtls_input and the unit test that
// replays the committed corpus (tests/dtls/corpus_test.cpp).
//
// Input format: datagrams back to back, each a 2-byte big-endian length then that many bytes; a
// length running past the end takes what is left. Time advances 50 ms after each datagram and
// timers fire, so retransmission and deadline paths run too.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "dtls/endpoint.hpp"

namespace rrtc::dtls::fuzz {

struct HarnessResult {
  std::size_t datagrams_in = 0;
  std::size_t datagrams_out = 0;
  EndpointState state = EndpointState::Idle;
};

inline HarnessResult feed_passive_endpoint(std::span<const std::uint8_t> data,
                                           const std::shared_ptr<const Certificate>& certificate,
                                           const Fingerprint& remote) {
  EndpointConfig config;
  config.remote_fingerprints = {remote};
  time::Timestamp now{};
  Endpoint endpoint(certificate, config, now);
  HarnessResult result;
  const auto drain = [&] {
    while (auto output = endpoint.poll_output()) {
      if (std::holds_alternative<Transmit>(*output)) ++result.datagrams_out;
    }
  };
  while (!data.empty()) {
    std::size_t length = data.size();
    if (data.size() >= 2) {
      length = std::min<std::size_t>((std::size_t{data[0]} << 8) | data[1], data.size() - 2);
      data = data.subspan(2);
    }
    endpoint.handle_datagram(data.first(length), now);
    data = data.subspan(length);
    ++result.datagrams_in;
    drain();
    now += std::chrono::milliseconds(50);
    if (const auto due = endpoint.next_timeout(); due && *due <= now) endpoint.handle_timeout(now);
    drain();
  }
  endpoint.close(now);
  drain();
  result.state = endpoint.state();
  return result;
}

}  // namespace rrtc::dtls::fuzz
