#include "bwe/congestion_window.hpp"

#include <algorithm>

namespace rrtc::bwe {

std::optional<time::Duration> CongestionWindow::base_rtt() const noexcept {
  if (!previous_min_) return current_min_;
  if (!current_min_) return previous_min_;
  return std::min(*previous_min_, *current_min_);
}

void CongestionWindow::on_feedback(std::optional<time::Duration> rtt_sample,
                                   std::int64_t in_flight_bytes, DataRate target,
                                   time::Timestamp now) noexcept {
  if (!config_.enabled) return;
  if (rtt_sample) {
    // Two buckets of the minimum, so a longer path (a route change) is adopted within 20 s.
    if (!current_min_ || now - bucket_start_ >= config_.rtt_bucket) {
      previous_min_ = current_min_;
      current_min_ = rtt_sample;
      bucket_start_ = now;
    } else {
      current_min_ = std::min(*current_min_, *rtt_sample);
    }
  }
  const auto base = base_rtt();
  if (!base) return;
  window_bytes_ =
      std::max(config_.min_window_bytes, target.bytes_in(*base + config_.queue_allowance));
  const double fill = static_cast<double>(in_flight_bytes) / static_cast<double>(window_bytes_);
  if (fill > 1.5) {
    ratio_ = std::max(config_.min_ratio, ratio_ * 0.9);
  } else if (fill > 1.0) {
    ratio_ = std::max(config_.min_ratio, ratio_ * 0.95);
  } else {
    ratio_ = std::min(1.0, ratio_ * 1.05);
  }
}

}  // namespace rrtc::bwe
