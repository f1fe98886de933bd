#pragma once
// One log line per period for an event a client can repeat at will (its offers rejected, its
// relay policed, a full queue): the first occurrence logs, later ones within `period` are only
// counted, and the next line says how many were not logged. The counters in /metrics count
// every occurrence. Pure: time comes in as a parameter.

#include <cstdint>
#include <optional>

#include "time/media_time.hpp"

namespace rrtc::engine {

class LogLimit {
 public:
  LogLimit() noexcept : LogLimit(std::chrono::seconds(10)) {}
  explicit LogLimit(time::Duration period) noexcept : period_(period) {}

  // Whether to log this occurrence at `now`; when true, suppressed() is how many occurrences
  // since the previous line were not logged.
  bool allow(time::Timestamp now) noexcept {
    if (last_ && now < *last_ + period_) {
      ++pending_;
      return false;
    }
    last_ = now;
    suppressed_ = pending_;
    pending_ = 0;
    return true;
  }
  std::uint64_t suppressed() const noexcept { return suppressed_; }

 private:
  time::Duration period_;
  std::optional<time::Timestamp> last_;
  std::uint64_t pending_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace rrtc::engine
