// The delivery policy of one webhook URL: order, one request in flight, backoff, expiry after
// retry_for, the queue bound (docs/webhooks.md). Time and jitter are parameters.

#include "signaling/webhook_queue.hpp"

#include <gtest/gtest.h>

namespace rrtc::signaling {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = WebhookQueue::Next::Kind;
using TimePoint = WebhookQueue::TimePoint;

const TimePoint kT0{seconds(1000)};
constexpr double kNoJitter = 0.5;  // scales the backoff by exactly 1

std::shared_ptr<const std::string> body(const std::string& text) {
  return std::make_shared<const std::string>(text);
}

WebhookPolicy policy(std::size_t capacity, seconds retry_for) {
  WebhookPolicy p;
  p.capacity = capacity;
  p.retry_for = retry_for;
  return p;
}

// Sends the head at `now` and returns its id.
std::string start(WebhookQueue& q, TimePoint now) {
  auto next = q.next(now);
  EXPECT_EQ(next.kind, Kind::send);
  if (next.kind != Kind::send) return {};
  q.attempt_started(next.entry->seq, now);
  return next.entry->id;
}

std::uint64_t head_seq(const WebhookQueue& q, TimePoint now) {
  auto next = q.next(now);
  return next.entry ? next.entry->seq : 0;
}

TEST(WebhookBackoff, DoublesFromHalfASecondToThirtySeconds) {
  WebhookPolicy p;
  const milliseconds expected[] = {milliseconds(500),   milliseconds(1000),  milliseconds(2000),
                                   milliseconds(4000),  milliseconds(8000),  milliseconds(16000),
                                   milliseconds(30000), milliseconds(30000), milliseconds(30000)};
  for (std::uint32_t failures = 1; failures <= 9; ++failures) {
    EXPECT_EQ(webhook_backoff(p, failures, kNoJitter), expected[failures - 1]) << failures;
  }
  EXPECT_EQ(webhook_backoff(p, 1000, kNoJitter), seconds(30));
}

TEST(WebhookBackoff, JitterScalesBetweenThreeQuartersAndFiveQuarters) {
  WebhookPolicy p;
  EXPECT_EQ(webhook_backoff(p, 1, 0.0), milliseconds(375));
  EXPECT_EQ(webhook_backoff(p, 3, 0.0), milliseconds(1500));
  EXPECT_EQ(webhook_backoff(p, 3, 0.25), milliseconds(1750));
  EXPECT_EQ(webhook_backoff(p, 7, 0.0), milliseconds(22500));
  EXPECT_EQ(webhook_backoff(p, 7, 1.0), milliseconds(37500));
}

TEST(WebhookQueue, DeliversInOrderOneAtATime) {
  WebhookQueue q(policy(10, seconds(300)));
  EXPECT_EQ(q.next(kT0).kind, Kind::idle);
  q.push("a", body("A"), kT0);
  q.push("b", body("B"), kT0);
  q.push("c", body("C"), kT0);
  EXPECT_EQ(q.depth(), 3u);
  for (const char* id : {"a", "b", "c"}) {
    auto next = q.next(kT0);
    ASSERT_EQ(next.kind, Kind::send);
    EXPECT_EQ(next.entry->id, id);
    q.attempt_started(next.entry->seq, kT0);
    EXPECT_EQ(q.next(kT0).kind, Kind::busy);
    q.attempt_delivered(next.entry->seq);
  }
  EXPECT_EQ(q.next(kT0).kind, Kind::idle);
  EXPECT_EQ(q.counters().delivered, 3u);
  EXPECT_EQ(q.counters().attempts_failed, 0u);
  EXPECT_EQ(q.depth(), 0u);
}

TEST(WebhookQueue, FailedHeadIsRetriedAfterBackoffAndBlocksTheRest) {
  WebhookQueue q(policy(10, seconds(300)));
  q.push("a", body("A"), kT0);
  q.push("b", body("B"), kT0);
  auto seq = head_seq(q, kT0);
  EXPECT_EQ(start(q, kT0), "a");
  q.attempt_failed(seq, kT0 + milliseconds(20), kNoJitter);
  auto next = q.next(kT0 + milliseconds(20));
  ASSERT_EQ(next.kind, Kind::wait);
  EXPECT_EQ(next.wake, kT0 + milliseconds(520));
  EXPECT_EQ(q.next(kT0 + milliseconds(519)).kind, Kind::wait);
  // The same event again, then the one behind it.
  EXPECT_EQ(start(q, kT0 + milliseconds(520)), "a");
  q.attempt_failed(seq, kT0 + milliseconds(530), kNoJitter);
  EXPECT_EQ(q.next(kT0 + milliseconds(530)).wake, kT0 + milliseconds(1530));
  EXPECT_EQ(start(q, kT0 + milliseconds(1530)), "a");
  q.attempt_delivered(seq);
  EXPECT_EQ(start(q, kT0 + milliseconds(1600)), "b");
  EXPECT_EQ(q.counters().attempts_failed, 2u);
  EXPECT_EQ(q.counters().delivered, 1u);
}

TEST(WebhookQueue, DroppedWhenRetryForHasPassedSinceTheFirstAttempt) {
  WebhookQueue q(policy(10, seconds(60)));
  q.push("a", body("A"), kT0);
  q.push("b", body("B"), kT0);
  // "a" waits in the queue for 5 s before its first attempt: the 60 s count from then.
  const TimePoint first = kT0 + seconds(5);
  auto seq = head_seq(q, first);
  TimePoint now = first;
  std::vector<TimePoint> attempts;
  for (int i = 0; i < 100 && q.next(now).entry != nullptr && q.next(now).entry->id == "a"; ++i) {
    attempts.push_back(now);
    start(q, now);
    q.attempt_failed(seq, now, kNoJitter);
    auto next = q.next(now);
    if (next.kind == Kind::wait) now = next.wake;
  }
  // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s after the first attempt, then the deadline itself.
  const milliseconds offsets[] = {milliseconds(0),     milliseconds(500),  milliseconds(1500),
                                  milliseconds(3500),  milliseconds(7500), milliseconds(15500),
                                  milliseconds(31500), milliseconds(60000)};
  ASSERT_EQ(attempts.size(), std::size(offsets));
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i] - first, offsets[i]) << i;
  }
  EXPECT_EQ(q.counters().dropped_expired, 1u);
  EXPECT_EQ(q.counters().attempts_failed, 8u);
  EXPECT_EQ(q.depth(), 1u);
  // "b" now gets its own first attempt at once.
  EXPECT_EQ(start(q, first + seconds(60)), "b");
}

TEST(WebhookQueue, ZeroRetryForMeansOneAttempt) {
  WebhookQueue q(policy(10, seconds(0)));
  q.push("a", body("A"), kT0);
  q.push("b", body("B"), kT0);
  auto seq = head_seq(q, kT0);
  start(q, kT0);
  q.attempt_failed(seq, kT0 + seconds(5), kNoJitter);
  EXPECT_EQ(q.counters().dropped_expired, 1u);
  EXPECT_EQ(start(q, kT0 + seconds(5)), "b");
}

TEST(WebhookQueue, FullQueueDropsTheOldest) {
  WebhookQueue q(policy(3, seconds(300)));
  for (const char* id : {"1", "2", "3", "4", "5"}) q.push(id, body(id), kT0);
  EXPECT_EQ(q.depth(), 3u);
  EXPECT_EQ(q.counters().dropped_queue_full, 2u);
  for (const char* id : {"3", "4", "5"}) {
    auto seq = head_seq(q, kT0);
    EXPECT_EQ(start(q, kT0), id);
    q.attempt_delivered(seq);
  }
  EXPECT_EQ(q.counters().delivered, 3u);
}

TEST(WebhookQueue, FullQueueDropsTheEventInFlightAndIgnoresItsResult) {
  WebhookQueue q(policy(2, seconds(300)));
  q.push("1", body("1"), kT0);
  q.push("2", body("2"), kT0);
  auto seq1 = head_seq(q, kT0);
  EXPECT_EQ(start(q, kT0), "1");
  q.push("3", body("3"), kT0);  // pushes out "1" while it is being sent
  EXPECT_EQ(q.counters().dropped_queue_full, 1u);
  EXPECT_FALSE(q.in_flight());
  q.attempt_delivered(seq1);  // late result for a dropped event
  EXPECT_EQ(q.counters().delivered, 0u);
  EXPECT_EQ(q.depth(), 2u);
  auto seq2 = head_seq(q, kT0);
  EXPECT_EQ(start(q, kT0), "2");
  q.attempt_failed(seq1, kT0, kNoJitter);  // counted as a failed attempt, changes nothing else
  EXPECT_TRUE(q.in_flight());
  q.attempt_delivered(seq2);
  EXPECT_EQ(start(q, kT0), "3");
  EXPECT_EQ(q.counters().delivered, 1u);
  EXPECT_EQ(q.counters().attempts_failed, 1u);
}

TEST(WebhookQueue, DropAllCountsShutdownDrops) {
  WebhookQueue q(policy(10, seconds(300)));
  q.push("1", body("1"), kT0);
  q.push("2", body("2"), kT0);
  auto seq = head_seq(q, kT0);
  start(q, kT0);
  q.drop_all();
  EXPECT_EQ(q.counters().dropped_shutdown, 2u);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_FALSE(q.in_flight());
  q.attempt_delivered(seq);
  EXPECT_EQ(q.counters().delivered, 0u);
  EXPECT_EQ(q.next(kT0).kind, Kind::idle);
}

TEST(WebhookQueue, BodiesAreSharedNotCopied) {
  WebhookQueue a(policy(10, seconds(300)));
  WebhookQueue b(policy(10, seconds(300)));
  auto shared = body("{}");
  a.push("x", shared, kT0);
  b.push("x", shared, kT0);
  EXPECT_EQ(a.next(kT0).entry->body.get(), b.next(kT0).entry->body.get());
}

}  // namespace
}  // namespace rrtc::signaling
