#include "bwe/loss_based.hpp"

#include <algorithm>
#include <cmath>

namespace rrtc::bwe {

void LossBased::on_report(std::int64_t lost, std::int64_t received, DataRate target,
                          DataRate delay_based, time::Timestamp now) noexcept {
  if (lost < 0 || received < 0) return;
  if (!interval_start_) interval_start_ = now;
  lost_ += lost;
  total_ += lost + received;
  const bool long_enough = now - *interval_start_ >= time::Duration(1'000'000) &&
                           total_ >= config_.min_packets_per_second;
  if (total_ < config_.min_packets && !long_enough) return;

  last_loss_ = static_cast<double>(lost_) / static_cast<double>(total_);
  lost_ = 0;
  total_ = 0;
  interval_start_ = now;

  if (last_loss_ > config_.decrease_loss) {
    if (!last_decrease_ || now - *last_decrease_ >= rtt_ + time::Duration(300'000)) {
      const DataRate base = bound_ ? std::min(*bound_, target) : target;
      bound_ = std::max(config_.min_bitrate, base * (1 - 0.5 * last_loss_));
      last_decrease_ = now;
      last_increase_ = now;
    }
    return;
  }
  if (last_loss_ >= config_.increase_loss || !bound_) {
    last_increase_ = now;
    return;
  }
  const double seconds = std::min(to_ms(now - last_increase_.value_or(now)), 1000.0) / 1000.0;
  last_increase_ = now;
  *bound_ = *bound_ * std::pow(config_.increase_per_second, seconds) +
            DataRate::bits_per_second(static_cast<std::int64_t>(1000 * seconds));
  if (*bound_ >= delay_based) bound_.reset();
}

void LossBased::on_probe_result(DataRate result) noexcept {
  if (!bound_) return;
  if (result > *bound_) bound_ = result;
}

}  // namespace rrtc::bwe
