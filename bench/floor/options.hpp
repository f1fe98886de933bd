#pragma once
// rrtc-floor's command line (Boost.Program_options) and the variants it measures.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "srtp/profile.hpp"

namespace rrtc::floor_bench {

// What the sender thread does for each subscriber's copy of an incoming packet.
enum class Variant {
  copy,        // memcpy + header rewrite only
  protect,     // + SRTP protect
  send_plain,  // + sendto(2), no protect: the kernel's cost alone
  sendto,      // + protect + sendto(2) on the subscriber's own unconnected socket (rrtc, libnice)
  connected,   // + protect + send(2) on the subscriber's own connect()ed socket
  sendmmsg_shared,  // + protect, then all copies in one sendmmsg(2) on one shared socket
  io_uring  // + protect, then all copies as SENDMSG entries on their own sockets, one submit
};

std::string_view variant_name(Variant variant) noexcept;
constexpr bool variant_protects(Variant variant) noexcept {
  return variant != Variant::copy && variant != Variant::send_plain;
}
constexpr bool variant_sends(Variant variant) noexcept {
  return variant != Variant::copy && variant != Variant::protect;
}

struct Options {
  unsigned subscribers = 10;
  std::size_t payload = 1200;  // RTP payload bytes after the 12-byte header
  double seconds = 3;          // per variant
  double pps = 0;              // egress packets per second over all subscribers; 0: flat out
  int cpu = 1;                 // sender thread
  int drain_cpu = 0;           // receiver (drain) thread
  srtp::SrtpProfile profile = srtp::SrtpProfile::AeadAes128Gcm;
  std::vector<Variant> variants;  // in the order run
  std::size_t rcvbuf = 0;         // per receiver socket; 0: 256 MiB shared out, 256 KiB..32 MiB
  double drain_s = 0.3;           // longest wait for packets in flight after a variant
  std::string json_path;
};

// Parses argv; prints help or an error and returns nullopt (with *exit_code set) when the
// program should stop.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace rrtc::floor_bench
