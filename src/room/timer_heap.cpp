#include "room/timer_heap.hpp"

namespace rrtc::room {

void TimerHeap::schedule(TimerNode& node, time::Timestamp due) noexcept {
  if (node.scheduled()) {
    if (due == node.due_) return;  // the common case on the hot path: nothing moves
    const bool earlier = due < node.due_;
    node.due_ = due;
    if (earlier) {
      sift_up(node.slot_);
    } else {
      sift_down(node.slot_);
    }
    return;
  }
  node.due_ = due;
  heap_.push_back(&node);
  node.slot_ = heap_.size() - 1;
  sift_up(node.slot_);
}

void TimerHeap::cancel(TimerNode& node) noexcept {
  if (!node.scheduled()) return;
  const std::size_t slot = node.slot_;
  node.slot_ = TimerNode::kUnscheduled;
  TimerNode* last = heap_.back();
  heap_.pop_back();
  if (last == &node) return;
  place(slot, last);
  // The moved node may belong above or below the hole.
  sift_up(slot);
  sift_down(last->slot_);
}

TimerNode* TimerHeap::pop_due(time::Timestamp now) noexcept {
  if (heap_.empty() || heap_.front()->due_ > now) return nullptr;
  TimerNode* node = heap_.front();
  cancel(*node);
  return node;
}

void TimerHeap::sift_up(std::size_t slot) noexcept {
  TimerNode* node = heap_[slot];
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / 2;
    if (!(node->due_ < heap_[parent]->due_)) break;
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, node);
}

void TimerHeap::sift_down(std::size_t slot) noexcept {
  TimerNode* node = heap_[slot];
  const std::size_t n = heap_.size();
  while (true) {
    std::size_t child = 2 * slot + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->due_ < heap_[child]->due_) ++child;
    if (!(heap_[child]->due_ < node->due_)) break;
    place(slot, heap_[child]);
    slot = child;
  }
  place(slot, node);
}

}  // namespace rrtc::room
