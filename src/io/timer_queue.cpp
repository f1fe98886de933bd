#include "io/timer_queue.hpp"

namespace rrtc::io {

// A handle's record is its entry's key: cancelling erases the entry if it is still queued.
class TimerQueue::Entry final : public TimerHandle::Timer {
 public:
  Entry(std::weak_ptr<TimerQueue> queue, Key key) noexcept : queue_(std::move(queue)), key_(key) {}
  ~Entry() override {
    if (auto queue = queue_.lock()) queue->entries_.erase(key_);
  }
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  bool pending() const noexcept override {
    auto queue = queue_.lock();
    return queue != nullptr && queue->entries_.find(key_) != queue->entries_.end();
  }

 private:
  std::weak_ptr<TimerQueue> queue_;
  Key key_;
};

TimerQueue::Key TimerQueue::schedule(time::Timestamp when, std::function<void()> fn) {
  const Key key{when, next_sequence_++};
  entries_.emplace(key, std::move(fn));
  return key;
}

TimerHandle TimerQueue::handle(Key key) {
  return TimerHandle(std::make_unique<Entry>(weak_from_this(), key));
}

std::optional<std::function<void()>> TimerQueue::pop_due(time::Timestamp limit,
                                                         std::uint64_t before) {
  for (auto it = entries_.begin(); it != entries_.end() && it->first.first <= limit; ++it) {
    // Entries of one deadline are in sequence order; a later deadline may still hold an
    // earlier sequence, so look on past the ones queued during this dispatch.
    if (it->first.second >= before) continue;
    std::function<void()> fn = std::move(it->second);
    entries_.erase(it);
    return fn;
  }
  return std::nullopt;
}

std::optional<time::Timestamp> TimerQueue::next() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.begin()->first.first;
}

}  // namespace rrtc::io
