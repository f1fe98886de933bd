#pragma once
// One log line per kind of event per interval: a flood of refused or timed-out connections
// writes one line, and the next line says how many were left out. Pure: the caller passes the
// time. Kinds are fixed strings in our code, so the map stays small.
//
// Threading: one owner (the signaling thread).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace rrtc::signaling {

class LogLimit {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogLimit(Clock::duration interval) : interval_(interval) {}

  // Whether a line for `kind` may be written at `now`. When it may, `suppressed` is set to the
  // number of events of that kind that were not logged since the last line.
  bool allow(std::string_view kind, Clock::time_point now, std::uint64_t& suppressed) {
    auto it = kinds_.find(kind);
    if (it == kinds_.end()) {
      kinds_.emplace(std::string(kind), State{now, 0});
      suppressed = 0;
      return true;
    }
    State& state = it->second;
    if (now - state.last_line < interval_) {
      ++state.suppressed;
      return false;
    }
    suppressed = state.suppressed;
    state = State{now, 0};
    return true;
  }

 private:
  struct State {
    Clock::time_point last_line;
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::map<std::string, State, std::less<>> kinds_;
};

}  // namespace rrtc::signaling
