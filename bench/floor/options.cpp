#include "options.hpp"

#include <array>
#include <boost/program_options.hpp>
#include <iostream>

namespace rrtc::floor_bench {
namespace po = boost::program_options;

namespace {

constexpr std::array kVariants = {Variant::copy,      Variant::protect,
                                  Variant::send_plain, Variant::sendto,
                                  Variant::connected,  Variant::sendmmsg_shared,
                                  Variant::io_uring};

constexpr const char* kAbout =
    "rrtc-floor: the floor under rrtc's CPU per forwarded packet. One sender thread fans one\n"
    "publisher's packets out to N subscribers the way an SFU does: for every copy it memcpys the\n"
    "incoming packet into an egress buffer, rewrites SSRC, sequence number and timestamp with the\n"
    "subscriber's own counters, SRTP-protects it with the subscriber's own outbound session and\n"
    "sends it to the subscriber's receiver socket on 127.0.0.1. A drain thread on another core\n"
    "reads every receiver socket (epoll + recvmmsg) and counts what arrived.\n"
    "\n"
    "Variants (all by default, in this order):\n"
    "  copy             copy + rewrite only\n"
    "  protect          copy + rewrite + SRTP protect, nothing sent\n"
    "  send-plain       copy + rewrite + sendto(2), no protect: the kernel's cost alone\n"
    "  sendto           copy + rewrite + protect + sendto(2) on the subscriber's own unconnected\n"
    "                   socket: the floor for an SFU built like rrtc (one socket per peer)\n"
    "  connected        the same on a connect()ed socket with send(2) (route cached)\n"
    "  sendmmsg-shared  one shared socket; the N copies of each incoming packet go out in one\n"
    "                   sendmmsg(2) to N destinations (what a single-port SFU could batch)\n"
    "  io-uring         each subscriber's own socket as for sendto, but the N copies of each\n"
    "                   incoming packet go to the kernel as N IORING_OP_SENDMSG entries in one\n"
    "                   io_uring_enter(2): batching across sockets, which sendmmsg cannot\n"
    "\n"
    "CPU per packet is the sender thread's user+sys time (getrusage(RUSAGE_THREAD)) over the\n"
    "packets it handled, the same accounting as rrtc-loadgen's server CPU. On loopback the\n"
    "receive side's softirq work (IP input, UDP lookup, queueing into the receiver's socket) runs\n"
    "in the sender's context and is charged to the sender, exactly as it is to rrtc; the softirq\n"
    "column is what /proc/stat charged to softirq on the sender's core (ticks, whole core), and\n"
    "ksirqd what ksoftirqd on that core used: softirq work the kernel deferred there instead.\n"
    "The user/sys split is tick-sampled (the sum is exact). Receiving and decrypting the incoming\n"
    "packet (once per N copies in an SFU) is not modelled.\n"
    "\n"
    "With --pps the sender sleeps (clock_nanosleep) whenever it is ahead of the schedule, so it\n"
    "wakes up to once per incoming packet, as an SFU woken by each arriving packet does; what the\n"
    "wake-ups cost is part of the CPU per packet.\n"
    "\nOptions";

}  // namespace

std::string_view variant_name(Variant variant) noexcept {
  switch (variant) {
    case Variant::copy:
      return "copy";
    case Variant::protect:
      return "protect";
    case Variant::send_plain:
      return "send-plain";
    case Variant::sendto:
      return "sendto";
    case Variant::connected:
      return "connected";
    case Variant::sendmmsg_shared:
      return "sendmmsg-shared";
    case Variant::io_uring:
      return "io-uring";
  }
  return "?";
}

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  std::vector<std::string> variants;
  std::string profile = "gcm";
  po::options_description desc(kAbout);
  // clang-format off
  desc.add_options()
    ("help,h", "this help")
    ("subscribers,n", po::value(&o.subscribers)->default_value(o.subscribers), "subscribers (copies per incoming packet)")
    ("payload", po::value(&o.payload)->default_value(o.payload), "RTP payload bytes (after the 12-byte header)")
    ("seconds", po::value(&o.seconds)->default_value(o.seconds), "seconds per variant")
    ("pps", po::value(&o.pps)->default_value(o.pps), "egress packets per second over all subscribers (0: as fast as possible); the sender sleeps when ahead")
    ("cpu", po::value(&o.cpu)->default_value(o.cpu), "core the sender thread is pinned to")
    ("drain-cpu", po::value(&o.drain_cpu)->default_value(o.drain_cpu), "core the receiving thread is pinned to")
    ("profile", po::value(&profile)->default_value(profile), "SRTP profile: gcm (AEAD_AES_128_GCM) or cm (AES_CM_128_HMAC_SHA1_80)")
    ("variant", po::value(&variants)->composing(), "run only this variant (repeatable): copy, protect, send-plain, sendto, connected, sendmmsg-shared, io-uring")
    ("rcvbuf", po::value(&o.rcvbuf)->default_value(o.rcvbuf), "SO_RCVBUF(FORCE) bytes per receiver socket (0: 256 MiB shared out, 256 KiB to 32 MiB each)")
    ("drain", po::value(&o.drain_s)->default_value(o.drain_s), "longest wait (s) for packets in flight after a variant")
    ("json", po::value(&o.json_path), "also write all rows as JSON to this file");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "rrtc-floor: " << e.what() << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  if (profile != "gcm" && profile != "cm") {
    std::cerr << "rrtc-floor: --profile is gcm or cm\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.profile =
      profile == "gcm" ? srtp::SrtpProfile::AeadAes128Gcm : srtp::SrtpProfile::AesCm128HmacSha1_80;
  for (const auto& name : variants) {
    bool known = false;
    for (const Variant v : kVariants) {
      if (name == variant_name(v)) {
        o.variants.push_back(v);
        known = true;
      }
    }
    if (!known) {
      std::cerr << "rrtc-floor: unknown variant '" << name << "'\n";
      *exit_code = 2;
      return std::nullopt;
    }
  }
  if (o.variants.empty()) o.variants.assign(kVariants.begin(), kVariants.end());
  if (o.subscribers == 0 || o.seconds <= 0 || o.pps < 0 || o.drain_s < 0 || o.payload > 8192) {
    std::cerr << "rrtc-floor: subscribers and seconds must be positive, pps and drain not "
                 "negative, payload at most 8192\n";
    *exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace rrtc::floor_bench
