#pragma once
// The two token buckets the Router polices with (issue 15): ingress per published track, refilled
// by time (RateBucket), and retransmissions per subscriber, refilled by the media forwarded to it
// (ShareBucket). Integer arithmetic only, no clock (time is a parameter), no allocation.

#include <algorithm>
#include <cstdint>

#include "time/media_time.hpp"

namespace rrtc::room {

// `rate` units per second with a burst of `rate` units (one second). A rate of 0 admits
// everything. Tokens are kept in units x 1e6 (unit-microseconds), so refills at any rate and any
// interval lose nothing to rounding. A bucket starts full: a publisher's first second is its
// burst.
class RateBucket {
 public:
  RateBucket() = default;
  explicit RateBucket(std::uint64_t rate) noexcept
      : rate_(rate), capacity_(rate * kScale), tokens_(capacity_) {}

  // Whether `cost` units are there at `now` (refilling first); take() them afterwards. Two
  // buckets that must both admit a packet are asked first and charged only when both agree.
  bool holds(std::uint64_t cost, time::Timestamp now) noexcept {
    if (rate_ == 0) return true;
    refill(now);
    return tokens_ >= cost * kScale;
  }
  void take(std::uint64_t cost) noexcept {
    if (rate_ != 0) tokens_ -= std::min(tokens_, cost * kScale);
  }
  // Whole units left after the last refill or take() (for tests).
  std::uint64_t tokens() const noexcept { return tokens_ / kScale; }

 private:
  static constexpr std::uint64_t kScale = 1'000'000;  // microseconds per second
  void refill(time::Timestamp now) noexcept {
    if (!started_) {
      started_ = true;
      last_ = now;
      return;
    }
    if (now <= last_) return;
    // A full refill takes one second; longer gaps are clamped so the product cannot overflow.
    const auto elapsed = std::min<std::int64_t>((now - last_).count(), 1'000'000);
    last_ = now;
    tokens_ = std::min(capacity_, tokens_ + static_cast<std::uint64_t>(elapsed) * rate_);
  }

  std::uint64_t rate_ = 0;
  std::uint64_t capacity_ = 0;
  std::uint64_t tokens_ = 0;
  bool started_ = false;
  time::Timestamp last_{};
};

// Earns `percent` % of what is credited to it, up to `burst` units; spends whole units. A
// percent of 0 admits everything. Starts empty: nothing can be spent before something was
// earned.
class ShareBucket {
 public:
  ShareBucket() = default;
  ShareBucket(std::uint32_t percent, std::uint64_t burst) noexcept
      : percent_(percent), capacity_(burst * 100) {}

  void earn(std::uint64_t units) noexcept {
    tokens_ = std::min(capacity_, tokens_ + units * percent_);
  }
  bool spend(std::uint64_t units) noexcept {
    if (percent_ == 0) return true;
    if (tokens_ < units * 100) return false;
    tokens_ -= units * 100;
    return true;
  }
  std::uint64_t tokens() const noexcept { return tokens_ / 100; }

 private:
  std::uint64_t percent_ = 0;
  std::uint64_t capacity_ = 0;
  std::uint64_t tokens_ = 0;  // units x 100
};

}  // namespace rrtc::room
