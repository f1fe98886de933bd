#include "timer_wheel.hpp"

#include <glib.h>
#include <time.h>

#include <algorithm>

namespace rrtc::loadgen {
namespace {

struct WheelSource {
  GSource source;
  TimerWheel* wheel;
};

}  // namespace

std::int64_t TimerWheel::now_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

TimerWheel::TimerWheel(GMainContext* context) : slots_(kSlots), cursor_ms_(now_ms()) {
  static GSourceFuncs funcs = {
      nullptr,
      nullptr,
      reinterpret_cast<gboolean (*)(GSource*, GSourceFunc, gpointer)>(&TimerWheel::on_dispatch),
      nullptr,
      nullptr,
      nullptr};
  source_ = g_source_new(&funcs, sizeof(WheelSource));
  reinterpret_cast<WheelSource*>(source_)->wheel = this;
  g_source_set_priority(source_, G_PRIORITY_HIGH);
  g_source_set_ready_time(source_, -1);
  g_source_attach(source_, context);
}

TimerWheel::~TimerWheel() {
  g_source_destroy(source_);
  g_source_unref(source_);
}

void TimerWheel::schedule(Task* task, std::int64_t due_ms) {
  due_ms = std::max(due_ms, cursor_ms_);
  slots_[static_cast<std::size_t>(due_ms % kSlots)].push_back(Entry{task, due_ms});
  ++size_;
  arm();
}

void TimerWheel::remove(Task* task) {
  for (auto& slot : slots_) {
    const auto before = slot.size();
    std::erase_if(slot, [&](const Entry& e) { return e.task == task; });
    size_ -= before - slot.size();
  }
  std::erase_if(firing_, [&](const Entry& e) { return e.task == task; });
}

int TimerWheel::on_dispatch(GSource* source, int (*)(void*), void* /*self*/) noexcept {
  TimerWheel* wheel = reinterpret_cast<WheelSource*>(source)->wheel;
  wheel->run(now_ms());
  return G_SOURCE_CONTINUE;
}

void TimerWheel::run(std::int64_t now) {
  if (armed_ms_ >= 0) {
    const std::int64_t late = now - armed_ms_;
    ++lateness_.wakes;
    if (late >= 2) ++lateness_.late_wakes;
    lateness_.max_ms = std::max(lateness_.max_ms, late);
  }
  // Fire every slot from the cursor up to now, in time order.
  for (; cursor_ms_ <= now; ++cursor_ms_) {
    auto& slot = slots_[static_cast<std::size_t>(cursor_ms_ % kSlots)];
    if (slot.empty()) continue;
    firing_.clear();
    // Entries due in a later lap stay.
    std::size_t kept = 0;
    for (auto& entry : slot) {
      if (entry.due_ms <= cursor_ms_) {
        firing_.push_back(entry);
      } else {
        slot[kept++] = entry;
      }
    }
    slot.resize(kept);
    size_ -= firing_.size();
    for (std::size_t i = 0; i < firing_.size(); ++i) {
      const Entry entry = firing_[i];
      if (const auto next = entry.task->fire(now)) {
        const std::int64_t due = std::max(*next, cursor_ms_ + 1);
        slots_[static_cast<std::size_t>(due % kSlots)].push_back(Entry{entry.task, due});
        ++size_;
      }
    }
  }
  firing_.clear();
  arm();
}

void TimerWheel::arm() {
  if (size_ == 0) {
    armed_ms_ = -1;
    g_source_set_ready_time(source_, -1);
    return;
  }
  // The next occupied slot at or after the cursor (one lap at most).
  std::int64_t next = cursor_ms_;
  for (std::int64_t i = 0; i < kSlots; ++i, ++next) {
    const auto& slot = slots_[static_cast<std::size_t>(next % kSlots)];
    if (std::any_of(slot.begin(), slot.end(), [&](const Entry& e) { return e.due_ms <= next; })) {
      break;
    }
  }
  // g_get_monotonic_time is CLOCK_MONOTONIC in µs on Linux, the clock of now_ms().
  armed_ms_ = next;
  g_source_set_ready_time(source_, next * 1000);
}

}  // namespace rrtc::loadgen
