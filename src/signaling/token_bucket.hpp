#pragma once
// Per-connection message rate limit: a token bucket refilled at `rate` tokens per second up to
// `burst`. Pure: the caller passes the time.

#include <algorithm>
#include <chrono>

namespace rrtc::signaling {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double burst, Clock::time_point now)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

  // Takes one token if there is one.
  bool try_take(Clock::time_point now) {
    if (now > last_) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
      last_ = now;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace rrtc::signaling
