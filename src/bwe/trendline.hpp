#pragma once
// The trendline filter: the delay-gradient estimate of the send-side variant of
// draft-ietf-rmcat-gcc-02 (section 5.3 describes the receive-side Kalman filter it replaced in
// libwebrtc). Each group delta adds (arrival - send) to an accumulated one-way delay
// variation, smoothed exponentially; the slope of a least-squares line through the last
// `window` (arrival time, smoothed delay) points is the trend: positive while a queue grows,
// negative while it drains. The detector compares modified_trend() (slope x min(deltas, 60) x
// gain, in milliseconds like the threshold) with its adaptive threshold.
//
// A fixed array holds the window: no allocation.

#include <array>
#include <cstddef>

#include "bwe/inter_arrival.hpp"

namespace rrtc::bwe {

struct TrendlineConfig {
  std::size_t window = 20;  // points in the regression, at most kMaxWindow
  double smoothing = 0.9;   // weight of the previous smoothed delay
  double gain = 4.0;        // threshold gain
};

class Trendline {
 public:
  static constexpr std::size_t kMaxWindow = 64;
  static constexpr int kMaxDeltas = 60;  // the cap on the count multiplying the slope

  explicit Trendline(TrendlineConfig config = {}) noexcept;

  void update(const GroupDelta& delta) noexcept;

  // The last slope (ms of delay per ms of time); 0 until the window is full.
  double slope() const noexcept { return slope_; }
  double modified_trend() const noexcept;
  int num_deltas() const noexcept { return num_deltas_; }
  double smoothed_delay_ms() const noexcept { return smoothed_delay_ms_; }

 private:
  struct Point {
    double x = 0;  // ms since the first arrival
    double y = 0;  // smoothed accumulated delay, ms
  };
  TrendlineConfig config_;
  std::array<Point, kMaxWindow> points_{};
  std::size_t count_ = 0;  // points held, up to config_.window
  std::size_t next_ = 0;   // ring position of the next point
  int num_deltas_ = 0;
  bool have_first_ = false;
  double first_arrival_ms_ = 0;
  double accumulated_delay_ms_ = 0;
  double smoothed_delay_ms_ = 0;
  double slope_ = 0;
};

}  // namespace rrtc::bwe
