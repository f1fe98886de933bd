#include "bwe/acknowledged_bitrate.hpp"

#include <algorithm>
#include <cmath>

namespace rrtc::bwe {

void AcknowledgedBitrate::on_packet_acked(time::Duration arrival, std::int64_t size) noexcept {
  if (!started_) {
    started_ = true;
    window_start_ = arrival;
    last_arrival_ = arrival;
  }
  arrival = std::max(arrival, last_arrival_);
  last_arrival_ = arrival;
  const time::Duration window = first_window_ ? kInitialWindow : kWindow;
  const time::Duration elapsed = arrival - window_start_;
  if (elapsed >= window) {
    // Close the window before this packet: its bytes over the window's length. A long silence
    // (nothing sent) would read as a low rate, so a window is never longer than twice its size.
    add_sample(DataRate::of(window_bytes_, std::min(elapsed, window * 2)));
    first_window_ = false;
    window_start_ = arrival;
    window_bytes_ = 0;
  }
  window_bytes_ += size;
}

void AcknowledgedBitrate::add_sample(DataRate sample) noexcept {
  last_sample_ = sample;
  const double sample_kbps = sample.kbps();
  if (estimate_kbps_ < 0) {
    estimate_kbps_ = sample_kbps;
    return;
  }
  // The further a sample lies from the estimate, the less it is trusted; the estimate's own
  // variance grows a little every window, so a persistent change is followed within a few.
  const double uncertainty = 10 * std::fabs(estimate_kbps_ - sample_kbps) / estimate_kbps_;
  const double sample_variance = uncertainty * uncertainty;
  const double prior_variance = variance_ + 5;
  estimate_kbps_ = (sample_variance * estimate_kbps_ + prior_variance * sample_kbps) /
                   (sample_variance + prior_variance);
  estimate_kbps_ = std::max(estimate_kbps_, 0.0);
  variance_ = sample_variance * prior_variance / (sample_variance + prior_variance);
}

std::optional<DataRate> AcknowledgedBitrate::bitrate() const noexcept {
  if (estimate_kbps_ < 0) return std::nullopt;
  return DataRate::bits_per_second(static_cast<std::int64_t>(estimate_kbps_ * 1000));
}

}  // namespace rrtc::bwe
