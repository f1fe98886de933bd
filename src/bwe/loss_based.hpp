#pragma once
// The loss-based bound (draft-ietf-rmcat-gcc-02 section 6). Loss is counted over intervals of
// at least 50 reported packets (or 20 over a second), so a few random losses do not read as a
// rate: above 10 % the bound drops to target x (1 - loss / 2), at most once per rtt + 300 ms;
// below 2 % it grows 8 % a second; in between it holds. The bound exists only while loss holds
// the target below the delay-based estimate: once it has grown past that estimate it is lifted,
// and the next lossy interval sets it afresh from the target of the moment. A probe result
// raises it to that result (as libwebrtc's send-side estimation takes a probe as the new send
// bitrate).

#include <cstdint>
#include <optional>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

struct LossBasedConfig {
  double decrease_loss = 0.10;
  double increase_loss = 0.02;
  double increase_per_second = 1.08;
  std::int64_t min_packets = 50;             // an interval closes with this many packets ...
  std::int64_t min_packets_per_second = 20;  // ... or after a second with at least this many
  DataRate min_bitrate = DataRate::kilobits_per_second(30);
};

class LossBased {
 public:
  explicit LossBased(LossBasedConfig config = {}) noexcept : config_(config) {}

  // Packets newly reported lost and received by one feedback (or one receiver report).
  // target: the estimator's target now; delay_based: the delay-based estimate now.
  void on_report(std::int64_t lost, std::int64_t received, DataRate target, DataRate delay_based,
                 time::Timestamp now) noexcept;
  void set_rtt(time::Duration rtt) noexcept { rtt_ = rtt; }
  // A probe cluster arrived at `result` (ProbeBitrate: at least 80 % of it reported received):
  // the path just carried that rate, so the bound rises to it at once instead of 8 % a second
  // (a link whose cap was lifted would take ~15 s to climb from 100 kbit/s to 400). Also right
  // after a lossy interval: its loss is often the burst that caused the drop (a key frame
  // overflowing a 300 ms queue), and waiting for a clean interval (a second of a paused
  // subscriber's audio) then 8 % a second kept a 400 kbit/s subscriber at 30-40 kbit/s, its
  // video paused, for 2.5 s in the browser test.
  void on_probe_result(DataRate result) noexcept;

  // The bound, or nullopt while loss does not limit the target.
  std::optional<DataRate> bound() const noexcept { return bound_; }
  // The loss fraction of the last closed interval.
  double last_loss() const noexcept { return last_loss_; }

 private:
  LossBasedConfig config_;
  std::optional<DataRate> bound_;
  std::optional<time::Timestamp> interval_start_;
  std::optional<time::Timestamp> last_decrease_;
  std::optional<time::Timestamp> last_increase_;
  std::int64_t lost_ = 0;
  std::int64_t total_ = 0;
  double last_loss_ = 0;
  time::Duration rtt_{200'000};
};

}  // namespace rrtc::bwe
