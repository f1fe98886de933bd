#include "room/nack_tracker.hpp"

#include <algorithm>

namespace rrtc::room {

NackTracker::NackTracker(NackOptions options) : options_(options) {
  entries_.reserve(options_.max_missing);
}

bool NackTracker::on_packet(std::int64_t seq, std::chrono::microseconds now) noexcept {
  if (!highest_) {
    highest_ = seq;
    return false;
  }
  if (seq <= *highest_) {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                                     [](const Entry& e, std::int64_t s) { return e.seq < s; });
    if (it == entries_.end() || it->seq != seq) return false;
    entries_.erase(it);
    return true;
  }
  const std::int64_t gap = seq - *highest_ - 1;
  if (gap > options_.max_gap) {
    entries_.clear();
  } else if (gap > 0) {
    const auto keep = static_cast<std::int64_t>(options_.max_missing);
    std::int64_t first = *highest_ + 1;
    if (gap > keep) first = seq - keep;
    // Room for the new run: the oldest entries go first.
    const auto incoming = static_cast<std::size_t>(seq - first);
    if (entries_.size() + incoming > options_.max_missing) {
      const std::size_t drop = entries_.size() + incoming - options_.max_missing;
      entries_.erase(entries_.begin(),
                     entries_.begin() + static_cast<std::ptrdiff_t>(std::min(drop, entries_.size())));
    }
    for (std::int64_t s = first; s < seq; ++s) entries_.push_back(Entry{s, now, {}, 0});
  }
  highest_ = seq;
  return false;
}

void NackTracker::expire(std::chrono::microseconds now) noexcept {
  std::erase_if(entries_, [&](const Entry& e) {
    return e.tries >= options_.max_tries || now - e.first_missed > options_.max_age;
  });
}

std::size_t NackTracker::collect(std::chrono::microseconds now,
                                 std::span<std::uint16_t> out) noexcept {
  expire(now);
  std::size_t written = 0;
  for (Entry& entry : entries_) {
    if (written == out.size()) break;
    if (entry.tries > 0 && now - entry.last_sent < options_.retry_interval) continue;
    out[written++] = static_cast<std::uint16_t>(entry.seq);
    entry.last_sent = now;
    ++entry.tries;
  }
  return written;
}

}  // namespace rrtc::room
