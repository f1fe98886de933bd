#include "bwe/overuse_detector.hpp"

#include <algorithm>
#include <cmath>

#include "bwe/data_rate.hpp"

namespace rrtc::bwe {

namespace {
// Trends this far beyond the threshold are spikes (a route change, a stalled receiver); the
// threshold does not chase them.
constexpr double kMaxAdaptOffsetMs = 15;
// A long gap between feedbacks would move the threshold all at once.
constexpr double kMaxAdaptStepMs = 100;
}  // namespace

OveruseDetector::OveruseDetector(OveruseDetectorConfig config) noexcept
    : config_(config), threshold_ms_(config.initial_threshold_ms) {}

BandwidthUsage OveruseDetector::detect(double modified_trend, time::Duration send_delta,
                                       int num_deltas, time::Timestamp now) noexcept {
  if (num_deltas < 2) return BandwidthUsage::kNormal;
  if (modified_trend > threshold_ms_) {
    if (time_over_using_ms_ < 0) {
      // First sample over: assume we crossed halfway through the last interval.
      time_over_using_ms_ = to_ms(send_delta) / 2;
    } else {
      time_over_using_ms_ += to_ms(send_delta);
    }
    ++overuse_count_;
    if (time_over_using_ms_ > to_ms(config_.overuse_time) && overuse_count_ > 1 &&
        modified_trend >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
  } else if (modified_trend < -threshold_ms_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previous_trend_ = modified_trend;
  adapt_threshold(modified_trend, now);
  return state_;
}

void OveruseDetector::adapt_threshold(double modified_trend, time::Timestamp now) noexcept {
  if (!last_adapted_) last_adapted_ = now;
  const double magnitude = std::fabs(modified_trend);
  if (magnitude > threshold_ms_ + kMaxAdaptOffsetMs) {
    last_adapted_ = now;
    return;
  }
  const double k = magnitude < threshold_ms_ ? config_.k_down : config_.k_up;
  const double dt_ms = std::min(to_ms(now - *last_adapted_), kMaxAdaptStepMs);
  threshold_ms_ += k * (magnitude - threshold_ms_) * dt_ms;
  threshold_ms_ = std::clamp(threshold_ms_, config_.min_threshold_ms, config_.max_threshold_ms);
  last_adapted_ = now;
}

}  // namespace rrtc::bwe
