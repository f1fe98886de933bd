#pragma once
// Deadlines of many objects, earliest first: an indexed binary min-heap over nodes embedded in
// the objects that own the work (a TimerNode knows its slot, so moving or cancelling a deadline
// is O(log n) and needs no search). The owner asks next() for the earliest deadline and pops the
// nodes that are due; nothing walks every object to find out whether it has work.
//
// Pure: time is a parameter. reserve() once per node that may be scheduled: schedule() then
// never allocates. Not thread-safe; a node belongs to at most one heap and must be cancelled
// before it is destroyed.

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::room {

class TimerNode {
 public:
  TimerNode() = default;
  TimerNode(const TimerNode&) = delete;
  TimerNode& operator=(const TimerNode&) = delete;

  bool scheduled() const noexcept { return slot_ != kUnscheduled; }
  // The deadline last set (still readable after the node was popped or cancelled).
  time::Timestamp due() const noexcept { return due_; }

 protected:
  ~TimerNode() = default;

 private:
  friend class TimerHeap;
  static constexpr std::size_t kUnscheduled = std::numeric_limits<std::size_t>::max();
  time::Timestamp due_{};
  std::size_t slot_ = kUnscheduled;
};

class TimerHeap {
 public:
  // Room for `nodes` scheduled nodes at once.
  void reserve(std::size_t nodes) { heap_.reserve(nodes); }
  // Sets `node`'s deadline: schedules it, or moves it earlier or later. Allocates only when
  // more nodes are scheduled than were reserved.
  void schedule(TimerNode& node, time::Timestamp due) noexcept;
  void cancel(TimerNode& node) noexcept;
  // The earliest deadline; nullopt when nothing is scheduled.
  std::optional<time::Timestamp> next() const noexcept {
    if (heap_.empty()) return std::nullopt;
    return heap_.front()->due_;
  }
  // Unschedules and returns the earliest node due at or before `now`; nullptr when none is.
  TimerNode* pop_due(time::Timestamp now) noexcept;
  std::size_t size() const noexcept { return heap_.size(); }

 private:
  void place(std::size_t slot, TimerNode* node) noexcept {
    heap_[slot] = node;
    node->slot_ = slot;
  }
  void sift_up(std::size_t slot) noexcept;
  void sift_down(std::size_t slot) noexcept;

  std::vector<TimerNode*> heap_;
};

}  // namespace rrtc::room
