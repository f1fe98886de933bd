#pragma once
// AIMD rate control (draft-ietf-rmcat-gcc-02 section 5.5): the delay-based estimate A_hat.
// Over-use decreases it to beta (0.85) x the recent acknowledged bitrate (the last window's:
// while a queue builds, packets leave the bottleneck at its capacity, and the running average
// would lag a sudden drop by a second or more), at most once per round trip
// (clamped to 10..200 ms); under-use holds it while the queue drains; normal increases it:
// multiplicatively (8 % a second) far from the last congestion, additively (about one packet
// per response time, rtt + 100 ms) near it. "Near" means within three standard deviations of
// the link capacity: an average of the acknowledged bitrate at past over-uses. It never grows
// beyond 1.5 x the acknowledged bitrate + 10 kbit/s, so an application-limited sender does not
// accumulate an estimate it never tested.

#include <optional>

#include "bwe/data_rate.hpp"
#include "bwe/overuse_detector.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

struct AimdConfig {
  DataRate min_bitrate = DataRate::kilobits_per_second(30);
  DataRate max_bitrate = DataRate::kilobits_per_second(20'000);
  DataRate start_bitrate = DataRate::kilobits_per_second(300);
  double beta = 0.85;
  double multiplicative_increase_per_second = 1.08;
};

// What the receiver reported getting: AcknowledgedBitrate::bitrate() and last_sample().
struct Throughput {
  std::optional<DataRate> average;
  std::optional<DataRate> recent;
};

class AimdRateControl {
 public:
  explicit AimdRateControl(AimdConfig config = {}) noexcept;

  // One step per feedback: the detector's state, the acknowledged throughput (if known yet).
  DataRate update(BandwidthUsage usage, const Throughput& acknowledged,
                  time::Timestamp now) noexcept;

  // Jumps to `rate` (a probe's result), clamped; does not touch the link capacity.
  void set_estimate(DataRate rate, time::Timestamp now) noexcept;
  void set_rtt(time::Duration rtt) noexcept { rtt_ = rtt; }

  DataRate estimate() const noexcept { return current_; }
  // The link capacity average and whether the estimate is near it (additive mode).
  std::optional<DataRate> link_capacity() const noexcept;
  bool near_capacity() const noexcept;
  // Additive increase in bit/s per second at the current estimate.
  double additive_increase_bps_per_second() const noexcept;
  std::optional<time::Timestamp> last_decrease() const noexcept { return last_decrease_; }

 private:
  enum class State { kHold, kIncrease, kDecrease };
  void decrease(std::optional<DataRate> acknowledged, time::Timestamp now) noexcept;  // recent
  void increase(std::optional<DataRate> acknowledged, time::Timestamp now) noexcept;  // average
  void observe_capacity(DataRate sample) noexcept;
  double capacity_deviation_kbps() const noexcept;

  AimdConfig config_;
  DataRate current_;
  State state_ = State::kHold;
  time::Duration rtt_{200'000};
  std::optional<time::Timestamp> last_update_;
  std::optional<time::Timestamp> last_decrease_;
  double capacity_kbps_ = -1;  // -1: unknown (far from any congestion seen)
  double capacity_variance_ = 0.4;
};

}  // namespace rrtc::bwe
