#include "bwe/trendline.hpp"

#include <algorithm>

#include "bwe/data_rate.hpp"

namespace rrtc::bwe {

Trendline::Trendline(TrendlineConfig config) noexcept : config_(config) {
  config_.window = std::clamp<std::size_t>(config_.window, 2, kMaxWindow);
}

void Trendline::update(const GroupDelta& delta) noexcept {
  const double arrival_ms = to_ms(delta.arrival);
  if (!have_first_) {
    first_arrival_ms_ = arrival_ms;
    have_first_ = true;
  }
  num_deltas_ = std::min(num_deltas_ + 1, 1000);
  accumulated_delay_ms_ += to_ms(delta.arrival_delta) - to_ms(delta.send_delta);
  smoothed_delay_ms_ =
      config_.smoothing * smoothed_delay_ms_ + (1 - config_.smoothing) * accumulated_delay_ms_;

  points_[next_] = Point{arrival_ms - first_arrival_ms_, smoothed_delay_ms_};
  next_ = (next_ + 1) % config_.window;
  count_ = std::min(count_ + 1, config_.window);
  if (count_ < config_.window) return;

  // Least squares over the window: slope = sum((x - mx)(y - my)) / sum((x - mx)^2).
  double sum_x = 0;
  double sum_y = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    sum_x += points_[i].x;
    sum_y += points_[i].y;
  }
  const double mean_x = sum_x / static_cast<double>(count_);
  const double mean_y = sum_y / static_cast<double>(count_);
  double numerator = 0;
  double denominator = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const double dx = points_[i].x - mean_x;
    numerator += dx * (points_[i].y - mean_y);
    denominator += dx * dx;
  }
  // All points at one arrival time carry no slope: keep the last one.
  if (denominator > 0) slope_ = numerator / denominator;
}

double Trendline::modified_trend() const noexcept {
  return static_cast<double>(std::min(num_deltas_, kMaxDeltas)) * slope_ * config_.gain;
}

}  // namespace rrtc::bwe
