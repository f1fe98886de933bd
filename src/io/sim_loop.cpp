#include "io/sim_loop.hpp"

#include <algorithm>
#include <cassert>
#include <map>

namespace rrtc::io {

// The event queue: ordered by (deadline, sequence), so equal deadlines run in scheduling order
// and a run never depends on anything but the order of calls.
struct SimLoop::Core {
  using Key = std::pair<time::Timestamp, std::uint64_t>;

  Key schedule(time::Timestamp when, std::function<void()> fn) {
    const Key key{std::max(when, now), next_sequence++};
    events.emplace(key, std::move(fn));
    return key;
  }

  time::Timestamp now = kEpoch;
  std::uint64_t next_sequence = 0;
  std::uint64_t events_run = 0;
  bool running = false;  // an event is running: driving methods must not nest
  std::map<Key, std::function<void()>> events;
};

// A timer's record is its key in the queue: cancelling erases it (if still there).
class SimLoop::Timer final : public TimerHandle::Timer {
 public:
  Timer(const std::shared_ptr<Core>& core, Core::Key key) noexcept : core_(core), key_(key) {}
  ~Timer() override {
    if (auto core = core_.lock()) core->events.erase(key_);
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  bool pending() const noexcept override {
    auto core = core_.lock();
    return core != nullptr && core->events.find(key_) != core->events.end();
  }

 private:
  std::weak_ptr<Core> core_;
  Core::Key key_;
};

SimLoop::SimLoop() : core_(std::make_shared<Core>()) {}

SimLoop::~SimLoop() = default;

time::Timestamp SimLoop::now() const { return core_->now; }

void SimLoop::post(std::function<void()> fn) { core_->schedule(core_->now, std::move(fn)); }

void SimLoop::post_at(time::Timestamp when, std::function<void()> fn) {
  core_->schedule(when, std::move(fn));
}

TimerHandle SimLoop::arm_timer(time::Timestamp deadline, std::function<void()> fn) {
  const Core::Key key = core_->schedule(deadline, std::move(fn));
  return TimerHandle(std::make_unique<Timer>(core_, key));
}

bool SimLoop::run_next(time::Timestamp limit) {
  Core& core = *core_;
  if (core.events.empty() || core.events.begin()->first.first > limit) return false;
  auto first = core.events.begin();
  core.now = first->first.first;
  // Out of the queue before it runs: the timer is no longer pending, and its handle may be
  // destroyed or replaced from inside the callback.
  std::function<void()> fn = std::move(first->second);
  core.events.erase(first);
  ++core.events_run;
  core.running = true;
  fn();
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
  return core_->events.empty();
}

std::optional<time::Timestamp> SimLoop::next_event() const {
  if (core_->events.empty()) return std::nullopt;
  return core_->events.begin()->first.first;
}

std::size_t SimLoop::pending_events() const { return core_->events.size(); }

std::uint64_t SimLoop::events_run() const { return core_->events_run; }

}  // namespace rrtc::io
