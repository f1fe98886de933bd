#pragma once
// Media time: one steady clock, one unit (microseconds). Every layer that needs time takes a
// Timestamp as a parameter and says when it wants to be called again (a deadline); only the
// worker loop (src/io) reads the clock, so tests drive everything on a simulated clock.

#include <chrono>

namespace rrtc::time {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::microseconds;
// A point on the steady clock, in microseconds since its (arbitrary) epoch.
using Timestamp = std::chrono::time_point<Clock, Duration>;

// Converts a duration to the media unit, rounding towards zero (for constants in other units).
template <typename Rep, typename Period>
constexpr Duration to_duration(std::chrono::duration<Rep, Period> d) noexcept {
  return std::chrono::duration_cast<Duration>(d);
}

}  // namespace rrtc::time
