#pragma once
// The over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 sections 5.4 and
// 5.5). Over-use is declared when the modified trend stays above the threshold for more than
// 10 ms over at least two group deltas while still rising; under-use as soon as it falls below
// minus the threshold. The threshold follows |trend| (up with k_up, down with k_down, per ms,
// in [6, 600] ms), so a path whose delay always varies a lot (or a concurrent TCP flow's
// standing queue) does not starve us; trends far beyond it (by more than 15 ms) do not move it.

#include <optional>

#include "time/media_time.hpp"

namespace rrtc::bwe {

enum class BandwidthUsage { kNormal, kUnderusing, kOverusing };

struct OveruseDetectorConfig {
  double k_up = 0.0087;
  double k_down = 0.039;
  double initial_threshold_ms = 12.5;
  double min_threshold_ms = 6;
  double max_threshold_ms = 600;
  time::Duration overuse_time{10'000};
};

class OveruseDetector {
 public:
  explicit OveruseDetector(OveruseDetectorConfig config = {}) noexcept;

  // modified_trend: Trendline::modified_trend(); send_delta: the group delta's send delta;
  // num_deltas: Trendline::num_deltas(); now: the time of this feedback.
  BandwidthUsage detect(double modified_trend, time::Duration send_delta, int num_deltas,
                        time::Timestamp now) noexcept;

  BandwidthUsage state() const noexcept { return state_; }
  double threshold_ms() const noexcept { return threshold_ms_; }

 private:
  void adapt_threshold(double modified_trend, time::Timestamp now) noexcept;

  OveruseDetectorConfig config_;
  double threshold_ms_;
  double previous_trend_ = 0;
  double time_over_using_ms_ = -1;  // -1: not over the threshold
  int overuse_count_ = 0;
  std::optional<time::Timestamp> last_adapted_;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
};

}  // namespace rrtc::bwe
