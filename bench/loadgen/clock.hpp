#pragma once
// CLOCK_MONOTONIC in nanoseconds: the one clock senders stamp and receivers read (same machine).

#include <time.h>

#include <cstdint>

namespace rrtc::loadgen {

inline std::int64_t mono_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// NTP time (RFC 3550 section 4) from CLOCK_REALTIME, for sender reports.
inline std::uint64_t ntp_now() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const std::uint64_t seconds = static_cast<std::uint64_t>(ts.tv_sec) + 2'208'988'800ULL;
  const std::uint64_t fraction = (static_cast<std::uint64_t>(ts.tv_nsec) << 32) / 1'000'000'000ULL;
  return (seconds << 32) | fraction;
}

}  // namespace rrtc::loadgen
