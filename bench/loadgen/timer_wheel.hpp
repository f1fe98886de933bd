#pragma once
// Paces every media stream of one loop thread: a hashed timing wheel of 1 ms slots driven by
// one GSource whose ready time (µs, g_get_monotonic_time) is the next occupied slot, so the loop
// wakes once per millisecond at most however many streams it paces, and sleeps when idle.
//
// A Task is scheduled at an absolute time in ms (any monotonic epoch the caller keeps, here
// CLOCK_MONOTONIC) at most kSlots - 1 ms ahead; on firing it returns its next time (or nullopt
// to stop). Tasks due in one slot fire in insertion order; a late loop fires every overdue slot
// in time order on its next wake, so no packet is silently skipped (lateness shows as latency).
//
// Threading: the loop's thread only (construct, schedule and destroy there or before the loop
// runs). Tasks must outlive the wheel or be cancelled with remove().

#include <cstdint>
#include <optional>
#include <vector>

typedef struct _GMainContext GMainContext;
typedef struct _GSource GSource;

namespace rrtc::loadgen {

class TimerWheel {
 public:
  class Task {
   public:
    // Called at or after the scheduled ms; returns the next due ms (> now_ms), or nullopt.
    virtual std::optional<std::int64_t> fire(std::int64_t now_ms) noexcept = 0;

   protected:
    ~Task() = default;
  };

  static constexpr std::int64_t kSlots = 1024;

  explicit TimerWheel(GMainContext* context);
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // due_ms must be < now + kSlots; earlier than now fires on the next wake.
  void schedule(Task* task, std::int64_t due_ms);
  void remove(Task* task);
  std::size_t size() const noexcept { return size_; }

  static std::int64_t now_ms() noexcept;

  // How late the loop woke for its first due slot: wakes, wakes 2 ms late or more, the worst.
  // Evidence of whether the load generator kept its pace (a starved thread cannot).
  struct Lateness {
    std::uint64_t wakes = 0;
    std::uint64_t late_wakes = 0;
    std::int64_t max_ms = 0;
  };
  const Lateness& lateness() const noexcept { return lateness_; }
  void reset_lateness() noexcept { lateness_ = {}; }

 private:
  struct Entry {
    Task* task;
    std::int64_t due_ms;
  };
  static int on_dispatch(GSource* source, int (*)(void*), void* self) noexcept;
  void run(std::int64_t now);
  void arm();

  std::vector<std::vector<Entry>> slots_;
  std::vector<Entry> firing_;
  std::int64_t cursor_ms_;  // every slot before it has fired
  std::size_t size_ = 0;
  std::int64_t armed_ms_ = -1;
  Lateness lateness_;
  GSource* source_ = nullptr;
};

}  // namespace rrtc::loadgen
