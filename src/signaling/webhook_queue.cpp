#include "signaling/webhook_queue.hpp"

#include <algorithm>

namespace rrtc::signaling {

WebhookPolicy::Duration webhook_backoff(const WebhookPolicy& policy, std::uint32_t failures,
                                        double jitter) {
  using Duration = WebhookPolicy::Duration;
  Duration base = policy.first_backoff;
  for (std::uint32_t i = 1; i < failures && base < policy.max_backoff; ++i) base *= 2;
  base = std::min(base, policy.max_backoff);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::duration_cast<Duration>(base * (0.75 + jitter / 2));
}

void WebhookQueue::push(std::string id, std::shared_ptr<const std::string> body, TimePoint now) {
  if (policy_.capacity == 0) {
    ++counters_.dropped_queue_full;
    return;
  }
  if (entries_.size() >= policy_.capacity) {
    if (in_flight_ == entries_.front().seq) in_flight_.reset();
    entries_.pop_front();
    ++counters_.dropped_queue_full;
  }
  WebhookEntry entry;
  entry.seq = next_seq_++;
  entry.id = std::move(id);
  entry.body = std::move(body);
  entry.not_before = now;
  entries_.push_back(std::move(entry));
}

WebhookQueue::Next WebhookQueue::next(TimePoint now) const {
  Next next;
  if (in_flight_) {
    next.kind = Next::Kind::busy;
  } else if (entries_.empty()) {
    next.kind = Next::Kind::idle;
  } else if (entries_.front().not_before > now) {
    next.kind = Next::Kind::wait;
    next.wake = entries_.front().not_before;
  } else {
    next.kind = Next::Kind::send;
    next.entry = &entries_.front();
  }
  return next;
}

void WebhookQueue::attempt_started(std::uint64_t seq, TimePoint now) {
  if (entries_.empty() || entries_.front().seq != seq) return;
  auto& head = entries_.front();
  if (!head.first_attempt) head.first_attempt = now;
  in_flight_ = seq;
}

void WebhookQueue::attempt_delivered(std::uint64_t seq) {
  if (in_flight_ != seq) return;
  in_flight_.reset();
  // In flight means at the head: only push() removes the head otherwise, and it clears
  // in_flight_ when it does.
  entries_.pop_front();
  ++counters_.delivered;
}

void WebhookQueue::attempt_failed(std::uint64_t seq, TimePoint now, double jitter) {
  ++counters_.attempts_failed;
  if (in_flight_ != seq) return;
  in_flight_.reset();
  auto& head = entries_.front();
  ++head.failures;
  const TimePoint deadline = *head.first_attempt + policy_.retry_for;
  if (now >= deadline) {
    entries_.pop_front();
    ++counters_.dropped_expired;
    return;
  }
  head.not_before = std::min(now + webhook_backoff(policy_, head.failures, jitter), deadline);
}

void WebhookQueue::drop_all() {
  counters_.dropped_shutdown += entries_.size();
  entries_.clear();
  in_flight_.reset();
}

}  // namespace rrtc::signaling
