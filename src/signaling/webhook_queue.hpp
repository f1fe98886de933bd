#pragma once
// The delivery policy of one webhook URL (docs/webhooks.md), without I/O or a clock: events go
// out in order, one request at a time; a failed event is retried after an exponential backoff
// with jitter until `retry_for` has passed since its first attempt, then dropped; the queue
// holds at most `capacity` events and drops the oldest when a new one arrives to a full queue.
// The caller (WebhookClient) passes the time and the jitter, so tests drive it exactly.
//
// Threading: one owner (the signaling thread).

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace rrtc::signaling {

struct WebhookPolicy {
  using Duration = std::chrono::steady_clock::duration;
  std::size_t capacity = 10000;
  Duration retry_for = std::chrono::seconds(300);
  Duration first_backoff = std::chrono::milliseconds(500);
  Duration max_backoff = std::chrono::seconds(30);
};

// The wait before the retry that follows failure number `failures` (1 = the first attempt
// failed): first_backoff doubled for each further failure, at most max_backoff, then scaled by
// 0.75 + jitter / 2 for `jitter` in [0, 1), so URLs that failed together do not retry together.
WebhookPolicy::Duration webhook_backoff(const WebhookPolicy& policy, std::uint32_t failures,
                                        double jitter);

struct WebhookCounters {
  std::uint64_t delivered = 0;
  std::uint64_t dropped_expired = 0;     // retry_for passed since its first attempt
  std::uint64_t dropped_queue_full = 0;  // the oldest, pushed out by a newer event
  std::uint64_t dropped_shutdown = 0;    // still queued when the shutdown grace ended
  std::uint64_t attempts_failed = 0;     // non-2xx, connect failure, timeout, ...
};

struct WebhookEntry {
  using TimePoint = std::chrono::steady_clock::time_point;
  std::uint64_t seq = 0;  // identifies an attempt's event when its result comes back
  std::string id;         // X-Rrtc-Event-Id
  std::shared_ptr<const std::string> body;  // shared by every URL's queue
  std::optional<TimePoint> first_attempt;
  TimePoint not_before{};  // the next attempt may start at this time
  std::uint32_t failures = 0;
};

class WebhookQueue {
 public:
  using TimePoint = WebhookEntry::TimePoint;

  explicit WebhookQueue(WebhookPolicy policy) : policy_(policy) {}

  // Appends an event, ready at `now`. A full queue first drops its oldest event, even one in
  // flight: that attempt's result is then ignored.
  void push(std::string id, std::shared_ptr<const std::string> body, TimePoint now);

  // What the client should do at `now`.
  struct Next {
    enum class Kind {
      idle,  // nothing queued
      busy,  // a request is in flight: wait for its result
      wait,  // the head waits for its retry: look again at `wake`
      send,  // send `entry` now, then call attempt_started()
    };
    Kind kind = Kind::idle;
    const WebhookEntry* entry = nullptr;
    TimePoint wake{};
  };
  Next next(TimePoint now) const;

  // The head (from next()) is being sent from `now`.
  void attempt_started(std::uint64_t seq, TimePoint now);
  // The attempt of event `seq` ended. A 2xx answer delivers it; anything else schedules its
  // retry or, once retry_for has passed since its first attempt, drops it. The last retry is
  // made at exactly that deadline. Results for an event no longer queued are ignored.
  void attempt_delivered(std::uint64_t seq);
  void attempt_failed(std::uint64_t seq, TimePoint now, double jitter);

  // Drops every event (counted as dropped_shutdown) and forgets the attempt in flight.
  void drop_all();

  std::size_t depth() const { return entries_.size(); }
  bool in_flight() const { return in_flight_.has_value(); }
  const WebhookCounters& counters() const { return counters_; }

 private:
  WebhookPolicy policy_;
  std::deque<WebhookEntry> entries_;
  std::optional<std::uint64_t> in_flight_;  // seq of the event being sent
  std::uint64_t next_seq_ = 1;
  WebhookCounters counters_;
};

}  // namespace rrtc::signaling
