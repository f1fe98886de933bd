#include "bwe/aimd_rate_control.hpp"

#include <algorithm>
#include <cmath>

namespace rrtc::bwe {

namespace {
// The frame rate assumed to size "one packet" of the additive increase (a video frame's worth
// is split into packets of at most kMtuBits).
constexpr double kFramesPerSecond = 30;
constexpr double kMtuBits = 1200 * 8;
constexpr double kMinAdditiveBpsPerSecond = 4000;
}  // namespace

AimdRateControl::AimdRateControl(AimdConfig config) noexcept
    : config_(config),
      current_(clamp(config.start_bitrate, config.min_bitrate, config.max_bitrate)) {}

std::optional<DataRate> AimdRateControl::link_capacity() const noexcept {
  if (capacity_kbps_ < 0) return std::nullopt;
  return DataRate::bits_per_second(static_cast<std::int64_t>(capacity_kbps_ * 1000));
}

double AimdRateControl::capacity_deviation_kbps() const noexcept {
  return std::sqrt(capacity_variance_ * capacity_kbps_);
}

bool AimdRateControl::near_capacity() const noexcept { return capacity_kbps_ >= 0; }

double AimdRateControl::additive_increase_bps_per_second() const noexcept {
  const double bits_per_frame = static_cast<double>(current_.bps()) / kFramesPerSecond;
  const double packets_per_frame = std::ceil(bits_per_frame / kMtuBits);
  const double packet_bits = bits_per_frame / packets_per_frame;
  const double response_s = to_ms(rtt_ + time::Duration(100'000)) / 1000.0;
  return std::max(kMinAdditiveBpsPerSecond, packet_bits / response_s);
}

// The link capacity: an exponential average of the acknowledged bitrate at over-use, with a
// variance normalised by the average (so three deviations scale with the rate).
void AimdRateControl::observe_capacity(DataRate sample) noexcept {
  const double kbps = sample.kbps();
  if (capacity_kbps_ < 0) {
    capacity_kbps_ = kbps;
  } else {
    capacity_kbps_ = 0.95 * capacity_kbps_ + 0.05 * kbps;
  }
  const double norm = std::max(capacity_kbps_, 1.0);
  const double error = capacity_kbps_ - kbps;
  capacity_variance_ = 0.95 * capacity_variance_ + 0.05 * error * error / norm;
  capacity_variance_ = std::clamp(capacity_variance_, 0.4, 2.5);
}

void AimdRateControl::decrease(std::optional<DataRate> acknowledged, time::Timestamp now) noexcept {
  // Once per round trip: the feedback of the next round trip still shows the queue we built.
  const time::Duration spacing = std::clamp(rtt_, time::Duration(10'000), time::Duration(200'000));
  if (last_decrease_ && now - *last_decrease_ < spacing) return;
  DataRate target = current_ * config_.beta;
  if (acknowledged) {
    target = *acknowledged * config_.beta;
    // The acknowledged bitrate far below the capacity seen before means the path changed:
    // forget the old capacity so the recovery starts multiplicative.
    if (capacity_kbps_ >= 0 &&
        acknowledged->kbps() < capacity_kbps_ - 3 * capacity_deviation_kbps()) {
      capacity_kbps_ = -1;
    }
    observe_capacity(*acknowledged);
  }
  current_ = clamp(std::min(target, current_), config_.min_bitrate, config_.max_bitrate);
  last_decrease_ = now;
  state_ = State::kHold;
}

void AimdRateControl::increase(std::optional<DataRate> acknowledged, time::Timestamp now) noexcept {
  const time::Duration elapsed =
      std::min(last_update_ ? now - *last_update_ : time::Duration(0), time::Duration(1'000'000));
  const double seconds = to_ms(elapsed) / 1000.0;
  if (acknowledged && capacity_kbps_ >= 0 &&
      acknowledged->kbps() > capacity_kbps_ + 3 * capacity_deviation_kbps()) {
    capacity_kbps_ = -1;  // carrying more than the old capacity: it is gone
  }
  DataRate next = current_;
  if (near_capacity()) {
    next = current_ + DataRate::bits_per_second(
                          static_cast<std::int64_t>(additive_increase_bps_per_second() * seconds));
  } else {
    const double factor = std::pow(config_.multiplicative_increase_per_second, seconds);
    next = current_ +
           DataRate::bits_per_second(std::max<std::int64_t>(
               static_cast<std::int64_t>(static_cast<double>(current_.bps()) * (factor - 1)),
               static_cast<std::int64_t>(1000 * seconds)));
  }
  if (acknowledged) {
    const DataRate cap = *acknowledged * 1.5 + DataRate::kilobits_per_second(10);
    next = std::min(next, std::max(cap, current_));
  }
  current_ = clamp(next, config_.min_bitrate, config_.max_bitrate);
}

DataRate AimdRateControl::update(BandwidthUsage usage, const Throughput& acknowledged,
                                 time::Timestamp now) noexcept {
  switch (usage) {
    case BandwidthUsage::kOverusing:
      state_ = State::kDecrease;
      decrease(acknowledged.recent ? acknowledged.recent : acknowledged.average, now);
      break;
    case BandwidthUsage::kUnderusing:
      state_ = State::kHold;  // the queue drains; increasing now would refill it
      break;
    case BandwidthUsage::kNormal:
      if (state_ == State::kHold || state_ == State::kDecrease) {
        state_ = State::kIncrease;
      } else {
        increase(acknowledged.average, now);
      }
      break;
  }
  last_update_ = now;
  return current_;
}

void AimdRateControl::set_estimate(DataRate rate, time::Timestamp now) noexcept {
  current_ = clamp(rate, config_.min_bitrate, config_.max_bitrate);
  last_update_ = now;
}

}  // namespace rrtc::bwe
