#pragma once
// The bwe tests' shorthands: a start time on the media clock, milliseconds, kbit/s.

#include <cstdint>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe::test_units {

using time::Duration;
inline const time::Timestamp kT0{Duration(1'000'000)};
constexpr Duration ms(std::int64_t v) { return Duration(v * 1000); }
inline DataRate kbps(std::int64_t v) { return DataRate::kilobits_per_second(v); }

}  // namespace rrtc::bwe::test_units
