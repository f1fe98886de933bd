#pragma once
// An EventLoop on a simulated clock, for tests and deterministic simulations (the str0m way):
// time moves only when the driver says so, and jumps straight to the next event, so seconds of
// media time run in milliseconds and every run repeats exactly.
//
// Order: events (posted closures, timers, post_at deliveries) run by (deadline, sequence), the
// sequence being the order they were scheduled in; a posted closure is an event at now(). Before
// an event runs, now() moves to its deadline; it never moves back.
//
// The clock starts at kEpoch (1000 s), so no code ever sees a zero or negative time.
//
// Threading: single-threaded. Every method, post() included, is called on the thread that drives
// the loop, and no driving method (advance*, run_until*) may be called from inside an event.
// Allocation: each event allocates (its closure and a map node: io/timer_queue.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "io/event_loop.hpp"
#include "time/media_time.hpp"

namespace rrtc::io {

class SimLoop final : public EventLoop {
 public:
  static constexpr time::Timestamp kEpoch{std::chrono::seconds(1000)};
  // run_until_idle's default bound on the events one call runs: a closure that re-posts itself
  // forever at one instant would otherwise never return.
  static constexpr std::size_t kDefaultEventBudget = 10'000'000;

  SimLoop();
  ~SimLoop() override;  // drops every pending event unrun
  SimLoop(const SimLoop&) = delete;
  SimLoop& operator=(const SimLoop&) = delete;

  time::Timestamp now() const override;
  void post(std::function<void()> fn) override;
  // An event at `when` (now() if earlier) that cannot be cancelled: for deliveries that check
  // themselves whether their target still exists (the simulated network's datagrams).
  void post_at(time::Timestamp when, std::function<void()> fn);

  // Runs every event due at or before `when`, in order (including those they schedule), then sets
  // now() to `when` (if later). Returns the number of events run.
  std::size_t advance_to(time::Timestamp when);
  std::size_t advance(time::Duration duration) { return advance_to(now() + duration); }

  // Runs events in order until done() holds (checked first, then after every event) or the next
  // event is more than `max` after the call began; in that case now() ends at start + max.
  // Returns done()'s last value.
  bool run_until(const std::function<bool()>& done, time::Duration max);

  // Runs events until none is left (true), or the next one is more than `max` after the call
  // began or `event_budget` events ran (false): a periodic timer never lets a loop go idle, so
  // the bound is required. now() stays at the last event run.
  bool run_until_idle(time::Duration max, std::size_t event_budget = kDefaultEventBudget);

  // The deadline of the next event; nullopt when there is none.
  std::optional<time::Timestamp> next_event() const;
  std::size_t pending_events() const;
  // Events run since construction.
  std::uint64_t events_run() const;

 protected:
  TimerHandle arm_timer(time::Timestamp deadline, std::function<void()> fn) override;

 private:
  struct Core;

  // Runs the first event; false when there is none or it is due after `limit`.
  bool run_next(time::Timestamp limit);

  std::unique_ptr<Core> core_;
};

}  // namespace rrtc::io
