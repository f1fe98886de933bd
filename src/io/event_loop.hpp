#pragma once
// The one interface every worker-side object uses for time and scheduling: the current media time,
// closures posted for later, and one-shot timers at a deadline. GlibLoop implements it on the
// steady clock for production (one per media worker); SimLoop implements it on a simulated clock,
// so whole rooms run in tests faster than real time and repeat exactly.
//
// Threading: an EventLoop and everything scheduled on it belong to one thread (the loop's).
// Implementations may make post() callable from other threads (GlibLoop does; SimLoop does not).
//
// Allocation: post() and arming a timer allocate (the closure, the timer record); neither is meant
// for a per-packet path. Callers that re-arm often compare deadlines before re-arming.

#include <functional>
#include <memory>
#include <utility>

#include "time/media_time.hpp"

namespace rrtc::io {

// A one-shot timer. Destroying or cancelling the handle before the timer fires guarantees the
// callback never runs; a callback may destroy or replace the handle that armed it. Move-only;
// used on the loop's thread. A handle may outlive its loop (it then does nothing).
class TimerHandle {
 public:
  // What a loop keeps for one armed timer, owned by the handle. Destroying it cancels the timer.
  class Timer {
   public:
    virtual ~Timer() = default;
    // True until the timer fired or was cancelled.
    virtual bool pending() const noexcept = 0;
  };

  TimerHandle() = default;
  explicit TimerHandle(std::unique_ptr<Timer> timer) noexcept : timer_(std::move(timer)) {}
  TimerHandle(TimerHandle&&) noexcept = default;
  TimerHandle& operator=(TimerHandle&& other) noexcept {
    if (this != &other) timer_ = std::move(other.timer_);  // the replaced timer is cancelled
    return *this;
  }
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  ~TimerHandle() = default;

  // Idempotent.
  void cancel() noexcept { timer_.reset(); }
  bool pending() const noexcept { return timer_ != nullptr && timer_->pending(); }

 private:
  std::unique_ptr<Timer> timer_;
};

class EventLoop {
 public:
  virtual ~EventLoop() = default;

  // The loop's current media time (microseconds on the steady clock, or simulated).
  virtual time::Timestamp now() const = 0;

  // Runs `fn` on the loop's thread later (never inline, even from the loop's thread), after every
  // closure posted before it.
  virtual void post(std::function<void()> fn) = 0;

  // Calls `fn` once, on the loop's thread, at `deadline` or after it, never before. A deadline in
  // the past fires on the next iteration. Allocates.
  TimerHandle add_timer(time::Timestamp deadline, std::function<void()> fn) {
    return arm_timer(deadline, std::move(fn));
  }
  // The same, `delay` from now().
  TimerHandle add_timer(time::Duration delay, std::function<void()> fn) {
    return arm_timer(now() + delay, std::move(fn));
  }

 protected:
  virtual TimerHandle arm_timer(time::Timestamp deadline, std::function<void()> fn) = 0;
};

}  // namespace rrtc::io
