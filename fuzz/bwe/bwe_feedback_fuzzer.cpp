// The send-side estimator fed a script of sends and feedback from the fuzzer's bytes: each
// step's first byte picks an operation (send packets, a transport-cc message parsed from the
// following bytes, a list of arbitrary reports with any numbers and arrival times, RTT, REMB,
// receiver-report loss, application-limited, a jump of the clock). Asserts what must hold
// whatever the feedback says: the target stays within [min, max], bytes in flight are never
// negative, and a probe cluster asks for at least one packet at a rate within the clamps.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "bwe/send_side_estimator.hpp"
#include "rtcp/header.hpp"
#include "rtcp/transport_cc.hpp"

namespace {

using namespace rrtc;
using time::Duration;

class Input {
 public:
  explicit Input(std::span<const std::uint8_t> data) : data_(data) {}
  bool empty() const { return pos_ >= data_.size(); }
  std::uint8_t byte() { return empty() ? 0 : data_[pos_++]; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, data_.size() - pos_);
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

void check(const bwe::SendSideEstimator& e, const bwe::EstimatorConfig& c) {
  const bwe::DataRate target = e.target_bitrate();
  if (target < c.min_bitrate || target > c.max_bitrate) std::abort();
  if (e.stats().in_flight_bytes < 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in({data, size});
  bwe::EstimatorConfig config;
  config.history = 1024;
  config.window.enabled = (size % 2) == 1;
  time::Timestamp now{Duration(1'000'000'000)};
  bwe::SendSideEstimator e(config, now);
  std::int64_t seq = 0;
  std::vector<bwe::PacketReport> reports;
  while (!in.empty()) {
    switch (in.byte() % 8) {
      case 0: {  // send packets, each after a gap
        const int count = in.byte() % 32;
        for (int i = 0; i < count; ++i) {
          now += Duration(in.byte() * 100);
          int cluster = bwe::kNoProbeCluster;
          if (const auto probe = e.next_probe(now)) {
            if (probe->min_packets < 1 || probe->bitrate < config.min_bitrate ||
                probe->bitrate > config.max_bitrate) {
              std::abort();
            }
            cluster = probe->id;
          }
          e.on_packet_sent(bwe::SentPacket{seq++, 50 + in.byte() * 5, now, cluster});
        }
        break;
      }
      case 1: {  // a transport-cc message (anything parse accepts)
        const auto bytes = in.take(in.u16() % 512);
        const auto raw = rtcp::parse_raw(bytes);
        if (!raw) break;
        const auto cc = rtcp::TransportCc::parse(*raw);
        if (cc) e.on_feedback(*cc, now);
        break;
      }
      case 2: {  // arbitrary reports: numbers around the newest, arrivals anywhere
        reports.clear();
        const int count = in.byte() % 64;
        for (int i = 0; i < count; ++i) {
          const auto back = static_cast<std::int8_t>(in.byte());
          const auto arrival = static_cast<std::int16_t>(in.u16());
          reports.push_back({seq - 1 - back, (back & 1) == 0, Duration(arrival * 1000)});
        }
        e.on_feedback(reports, now);
        break;
      }
      case 3:
        e.on_rtt(Duration(in.u16() * 100), now);
        break;
      case 4:
        e.on_remb(bwe::DataRate::bits_per_second(std::int64_t{in.u16()} << (in.byte() % 24)),
                  now);
        break;
      case 5:
        e.on_loss_report(in.byte(), in.byte(), now);
        break;
      case 6:
        e.set_application_limited(in.byte() % 2 == 0);
        break;
      default:
        now += Duration(std::int64_t{in.u16()} * 1000);
        break;
    }
    check(e, config);
  }
  return 0;
}
