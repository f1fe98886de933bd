#pragma once
// max_protocol_errors within protocol_error_window: a sliding window over the times of a
// connection's recent `error` replies. Pure: the caller passes the time. Holds at most
// max_errors + 1 times, whatever the client does.

#include <chrono>
#include <cstdint>
#include <deque>

namespace rrtc::signaling {

class ErrorWindow {
 public:
  using Clock = std::chrono::steady_clock;

  ErrorWindow(std::uint32_t max_errors, Clock::duration window)
      : max_errors_(max_errors), window_(window) {}

  // One more error at `now`. True when that makes more than max_errors within the window
  // (errors exactly `window` old no longer count).
  bool add(Clock::time_point now) {
    times_.push_back(now);
    while (!times_.empty() && now - times_.front() >= window_) times_.pop_front();
    if (times_.size() <= max_errors_) return false;
    times_.pop_front();  // stays bounded if the caller keeps the connection anyway
    return true;
  }

 private:
  std::uint32_t max_errors_;
  Clock::duration window_;
  std::deque<Clock::time_point> times_;
};

}  // namespace rrtc::signaling
