#include "room/nack_tracker.hpp"

#include <algorithm>

namespace rrtc::room {

NackTracker::NackTracker(NackOptions options) : options_(options) {
  entries_.reserve(options_.max_missing);
}

bool NackTracker::on_packet(std::int64_t seq, time::Timestamp now) noexcept {
  if (!highest_) {
    highest_ = seq;
    return false;
  }
  if (seq <= *highest_) {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                                     [](const Entry& e, std::int64_t s) { return e.seq < s; });
    if (it == entries_.end() || it->seq != seq) return false;
    entries_.erase(it);
    if (entries_.empty()) next_due_.reset();
    return true;
  }
  const std::int64_t gap = seq - *highest_ - 1;
  if (gap > options_.max_gap) {
    entries_.clear();
    next_due_.reset();
  } else if (gap > 0) {
    const auto keep = static_cast<std::int64_t>(options_.max_missing);
    std::int64_t first = *highest_ + 1;
    if (gap > keep) first = seq - keep;
    // Room for the new run: the oldest entries go first.
    const auto incoming = static_cast<std::size_t>(seq - first);
    if (entries_.size() + incoming > options_.max_missing) {
      const std::size_t drop = entries_.size() + incoming - options_.max_missing;
      entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(
                                                              std::min(drop, entries_.size())));
    }
    for (std::int64_t s = first; s < seq; ++s) entries_.push_back(Entry{s, now, {}, 0});
    // A new gap is asked for at once.
    if (incoming > 0 && (!next_due_ || now < *next_due_)) next_due_ = now;
  }
  highest_ = seq;
  return false;
}

bool NackTracker::expired(const Entry& entry, time::Timestamp now) const noexcept {
  return entry.tries >= options_.max_tries || now - entry.first_missed > options_.max_age;
}

std::size_t NackTracker::collect(time::Timestamp now, std::span<std::uint16_t> out) noexcept {
  std::erase_if(entries_, [&](const Entry& e) { return expired(e, now); });
  std::size_t written = 0;
  for (Entry& entry : entries_) {
    if (written == out.size()) break;
    if (entry.tries > 0 && now - entry.last_sent < options_.retry_interval) continue;
    out[written++] = static_cast<std::uint16_t>(entry.seq);
    entry.last_sent = now;
    ++entry.tries;
  }
  // The last try was just handed out: nothing more will come of these.
  std::erase_if(entries_, [&](const Entry& e) { return e.tries >= options_.max_tries; });
  update_next_due();
  return written;
}

void NackTracker::update_next_due() noexcept {
  next_due_.reset();
  for (const Entry& entry : entries_) {
    const time::Timestamp due =
        entry.tries == 0 ? entry.first_missed : entry.last_sent + options_.retry_interval;
    // Too old by the time it is due: it expires without another request.
    if (due - entry.first_missed > options_.max_age) continue;
    if (!next_due_ || due < *next_due_) next_due_ = due;
  }
}

}  // namespace rrtc::room
