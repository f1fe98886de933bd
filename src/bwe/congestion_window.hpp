#pragma once
// Congestion-window pushback: a delay-based estimator only reacts once the packets that met a
// queue have arrived and been reported, so after a sudden drop of capacity it finds a queue of
// up to seconds already built, and AIMD's 85 % of the new capacity drains it only slowly (a
// 1.5 s queue at 400 kbit/s takes 10 s). The bytes in flight (sent after the highest sequence
// number reported) measure that queue directly: when they exceed a window of
// target x (base RTT + 100 ms), the target handed to the sender is scaled down (x 0.9 per
// feedback above 1.5 windows, x 0.95 above one, down to `min_ratio`) until the queue has
// drained, then back up 5 % per feedback. The base RTT is the least feedback round trip
// (now - send time of the newest packet a feedback reports) over the last 10-20 s.

#include <cstdint>
#include <optional>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

// Off by default: draining costs seconds below 70 % of the new capacity after a drop (see
// docs/architecture.md, "Bandwidth estimation"), which the estimator's acceptance row forbids.
struct CongestionWindowConfig {
  bool enabled = false;
  time::Duration queue_allowance{200'000};
  double min_ratio = 0.6;
  std::int64_t min_window_bytes = 6000;  // five full packets
  time::Duration rtt_bucket{10'000'000};
};

class CongestionWindow {
 public:
  explicit CongestionWindow(CongestionWindowConfig config = {}) noexcept : config_(config) {}

  // After each transport-cc feedback: the round trip of its newest packet (if it reported a
  // newer one than before), the bytes in flight, and the estimate before pushback.
  void on_feedback(std::optional<time::Duration> rtt_sample, std::int64_t in_flight_bytes,
                   DataRate target, time::Timestamp now) noexcept;

  // The factor to apply to the target (min_ratio .. 1).
  double ratio() const noexcept { return ratio_; }
  std::int64_t window_bytes() const noexcept { return window_bytes_; }
  std::optional<time::Duration> base_rtt() const noexcept;

 private:
  CongestionWindowConfig config_;
  double ratio_ = 1.0;
  std::int64_t window_bytes_ = 0;
  std::optional<time::Duration> current_min_;
  std::optional<time::Duration> previous_min_;
  time::Timestamp bucket_start_{};
};

}  // namespace rrtc::bwe
