#include "io/sim_loop.hpp"

#include <algorithm>
#include <cassert>
#include <optional>

#include "io/timer_queue.hpp"

namespace rrtc::io {

// The clock and the event queue (io/timer_queue.hpp: ordered by (deadline, sequence), so equal
// deadlines run in scheduling order and a run never depends on anything but the order of calls).
struct SimLoop::Core {
  TimerQueue::Key schedule(time::Timestamp when, std::function<void()> fn) {
    return queue->schedule(std::max(when, now), std::move(fn));
  }

  time::Timestamp now = kEpoch;
  std::uint64_t events_run = 0;
  bool running = false;  // an event is running: driving methods must not nest
  // Shared with the timers' handles, which hold it weakly and may outlive the loop.
  std::shared_ptr<TimerQueue> queue = std::make_shared<TimerQueue>();
};

SimLoop::SimLoop() : core_(std::make_unique<Core>()) {}

SimLoop::~SimLoop() = default;

time::Timestamp SimLoop::now() const { return core_->now; }

void SimLoop::post(std::function<void()> fn) { core_->schedule(core_->now, std::move(fn)); }

void SimLoop::post_at(time::Timestamp when, std::function<void()> fn) {
  core_->schedule(when, std::move(fn));
}

TimerHandle SimLoop::arm_timer(time::Timestamp deadline, std::function<void()> fn) {
  return core_->queue->handle(core_->schedule(deadline, std::move(fn)));
}

bool SimLoop::run_next(time::Timestamp limit) {
  Core& core = *core_;
  const auto next = core.queue->next();
  if (!next || *next > limit) return false;
  core.now = *next;
  // Out of the queue before it runs: the timer is no longer pending, and its handle may be
  // destroyed or replaced from inside the callback.
  std::optional<std::function<void()>> fn = core.queue->pop_due(*next);
  ++core.events_run;
  core.running = true;
  (*fn)();
  core.running = false;
  return true;
}

std::size_t SimLoop::advance_to(time::Timestamp when) {
  assert(!core_->running && "SimLoop: driving methods must not be called from an event");
  std::size_t ran = 0;
  while (run_next(when)) ++ran;
  core_->now = std::max(core_->now, when);
  return ran;
}

bool SimLoop::run_until(const std::function<bool()>& done, time::Duration max) {
  assert(!core_->running && "SimLoop: driving methods must not be called from an event");
  const time::Timestamp limit = core_->now + max;
  bool result = done();
  while (!result) {
    if (!run_next(limit)) {
      core_->now = std::max(core_->now, limit);
      return done();
    }
    result = done();
  }
  return result;
}

bool SimLoop::run_until_idle(time::Duration max, std::size_t event_budget) {
  assert(!core_->running && "SimLoop: driving methods must not be called from an event");
  const time::Timestamp limit = core_->now + max;
  for (std::size_t ran = 0; ran < event_budget; ++ran) {
    if (!run_next(limit)) break;
  }
  return core_->queue->empty();
}

std::optional<time::Timestamp> SimLoop::next_event() const { return core_->queue->next(); }

std::size_t SimLoop::pending_events() const { return core_->queue->size(); }

std::uint64_t SimLoop::events_run() const { return core_->events_run; }

}  // namespace rrtc::io
