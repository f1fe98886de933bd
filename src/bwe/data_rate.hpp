#pragma once
// DataRate: a bit rate in bits per second, kept apart from byte counts and durations so that a
// rate is never added to a size by mistake. Whole bits per second are precise enough for
// congestion control (the estimates move by kbit/s).

#include <algorithm>
#include <compare>
#include <cstdint>

#include "time/media_time.hpp"

namespace rrtc::bwe {

class DataRate {
 public:
  constexpr DataRate() noexcept = default;
  static constexpr DataRate bits_per_second(std::int64_t bps) noexcept { return DataRate(bps); }
  static constexpr DataRate kilobits_per_second(std::int64_t kbps) noexcept {
    return DataRate(kbps * 1000);
  }
  // The rate at which `bytes` cross in `over`; zero for an empty or negative interval.
  static constexpr DataRate of(std::int64_t bytes, time::Duration over) noexcept {
    if (over.count() <= 0) return DataRate();
    return DataRate(bytes * 8 * 1'000'000 / over.count());
  }

  constexpr std::int64_t bps() const noexcept { return bps_; }
  constexpr double kbps() const noexcept { return static_cast<double>(bps_) / 1000.0; }
  // Bytes sent at this rate in `d` (rounded down).
  constexpr std::int64_t bytes_in(time::Duration d) const noexcept {
    return bps_ * d.count() / 8 / 1'000'000;
  }
  // The time `bytes` take at this rate; zero for a zero rate.
  constexpr time::Duration time_for(std::int64_t bytes) const noexcept {
    if (bps_ <= 0) return time::Duration(0);
    return time::Duration(bytes * 8 * 1'000'000 / bps_);
  }

  constexpr DataRate operator+(DataRate o) const noexcept { return DataRate(bps_ + o.bps_); }
  constexpr DataRate operator-(DataRate o) const noexcept { return DataRate(bps_ - o.bps_); }
  constexpr DataRate operator*(double f) const noexcept {
    return DataRate(static_cast<std::int64_t>(static_cast<double>(bps_) * f));
  }
  constexpr double operator/(DataRate o) const noexcept {
    return static_cast<double>(bps_) / static_cast<double>(o.bps_);
  }
  friend constexpr auto operator<=>(DataRate, DataRate) noexcept = default;

 private:
  constexpr explicit DataRate(std::int64_t bps) noexcept : bps_(bps) {}
  std::int64_t bps_ = 0;
};

constexpr DataRate clamp(DataRate v, DataRate lo, DataRate hi) noexcept {
  return std::max(lo, std::min(v, hi));
}

// Milliseconds as a double, the unit the delay filters of draft-ietf-rmcat-gcc-02 work in.
constexpr double to_ms(time::Duration d) noexcept {
  return static_cast<double>(d.count()) / 1000.0;
}

}  // namespace rrtc::bwe
