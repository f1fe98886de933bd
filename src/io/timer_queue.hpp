#pragma once
// One-shot closures ordered by (deadline, sequence), the sequence being the order they were
// scheduled in, so equal deadlines run in scheduling order. The one queue behind both loops'
// timers: SimLoop keeps all its events here, GlibLoop its timers, which GLib then sees as ONE
// source per worker instead of one per armed timer (each source is walked on every wake-up:
// prepare, check, a reference taken and dropped; with a few timers per subscriber that walk
// grew with the room, issue 18's profile).
//
// Handles (TimerHandle) hold the queue weakly, so they may outlive it; make the queue with
// std::make_shared. Pure apart from the closures it runs: time is a parameter.
//
// Threading: one thread (the loop's). Allocation: each entry allocates (a map node, the closure).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "io/event_loop.hpp"
#include "time/media_time.hpp"

namespace rrtc::io {

class TimerQueue : public std::enable_shared_from_this<TimerQueue> {
 public:
  using Key = std::pair<time::Timestamp, std::uint64_t>;
  static constexpr std::uint64_t kAnySequence = std::numeric_limits<std::uint64_t>::max();

  // Queues `fn` at `when`.
  Key schedule(time::Timestamp when, std::function<void()> fn);
  // A handle for the entry `key`: destroying or cancelling it removes the entry if still queued.
  TimerHandle handle(Key key);
  // Queues and returns its handle.
  TimerHandle arm(time::Timestamp when, std::function<void()> fn) {
    return handle(schedule(when, std::move(fn)));
  }

  // Removes and returns the first entry when it is due at or before `limit` and was scheduled
  // before sequence `before` (what a dispatch began with: an entry a callback queues for the
  // past waits for the next one, so a timer re-arming itself for "now" cannot spin a dispatch).
  // The entry is out of the queue before the caller runs it: its handle no longer reports it
  // pending and may be destroyed from inside the closure.
  std::optional<std::function<void()>> pop_due(time::Timestamp limit,
                                               std::uint64_t before = kAnySequence);

  std::optional<time::Timestamp> next() const;
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  // The sequence the next schedule() gets.
  std::uint64_t next_sequence() const noexcept { return next_sequence_; }

 private:
  class Entry;
  std::uint64_t next_sequence_ = 0;
  std::map<Key, std::function<void()>> entries_;
};

}  // namespace rrtc::io
