// rrtc-floor: what copying, SRTP-protecting and sending one publisher's packets to N
// subscribers costs on one core with nothing else of an SFU around it (bench/README.md).

#include <algorithm>
#include <exception>
#include <iostream>
#include <memory>
#include <vector>

#include "fan_out.hpp"
#include "options.hpp"
#include "receivers.hpp"
#include "report.hpp"
#include "thread_cpu.hpp"

namespace {

using namespace rrtc::floor_bench;

constexpr std::size_t kRcvbufBudget = std::size_t{256} << 20;  // over all receiver sockets
constexpr std::size_t kRcvbufMin = std::size_t{256} << 10;
constexpr std::size_t kRcvbufMax = std::size_t{32} << 20;

// Enough for the receivers to ride out the drain thread being descheduled for several ms at
// the full rate, without reserving gigabytes when there are hundreds of them.
std::size_t receive_buffer(const Options& options) {
  if (options.rcvbuf > 0) return options.rcvbuf;
  return std::clamp(kRcvbufBudget / options.subscribers, kRcvbufMin, kRcvbufMax);
}

int run(const Options& options) {
  const std::size_t max_datagram = 12 + options.payload + rrtc::srtp::kMaxSrtpOverhead;
  Receivers receivers(options.subscribers, receive_buffer(options), max_datagram,
                      options.drain_cpu);
  pin_current_thread(options.cpu);  // this thread is the sender
  FanOut fan_out(options, receivers);
  RunInfo info{receivers.granted_rcvbuf(), receivers.rcvbuf_forced(), load_average(), {}};
  print_header(std::cout, options, info);
  std::vector<Measurement> rows;
  for (const Variant variant : options.variants) {
    rows.push_back(fan_out.run(variant));
    print_row(std::cout, rows.back());
  }
  info.load_after = load_average();
  std::cout << "load average after: " << info.load_after << "\n";
  if (!options.json_path.empty()) write_json(options.json_path, options, info, rows);
  for (const auto& m : rows) {
    if (m.packets == 0 || m.send_errors > 0 || m.protect_errors > 0) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto options = rrtc::floor_bench::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  try {
    return run(*options);
  } catch (const std::exception& e) {
    std::cerr << "rrtc-floor: " << e.what() << "\n";
    return 1;
  }
}
