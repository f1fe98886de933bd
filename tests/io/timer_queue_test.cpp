// io::TimerQueue: the (deadline, sequence) order both loops' timers run in, the handles, and
// the dispatch bound that keeps a timer re-arming itself for the past out of the running dispatch.
#include "io/timer_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

namespace rrtc::io {
namespace {

using namespace std::chrono_literals;

constexpr time::Timestamp kT0{std::chrono::seconds(1000)};

void drain(TimerQueue& queue, time::Timestamp limit) {
  while (auto fn = queue.pop_due(limit)) (*fn)();
}

TEST(TimerQueue, RunsByDeadlineThenByTheOrderTheyWereScheduled) {
  auto queue = std::make_shared<TimerQueue>();
  std::string order;
  queue->schedule(kT0 + 2ms, [&] { order += 'c'; });
  queue->schedule(kT0 + 1ms, [&] { order += 'a'; });
  queue->schedule(kT0 + 1ms, [&] { order += 'b'; });
  queue->schedule(kT0 + 3ms, [&] { order += 'd'; });
  EXPECT_EQ(queue->next(), kT0 + 1ms);
  drain(*queue, kT0 + 2ms);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->next(), kT0 + 3ms);
  EXPECT_FALSE(queue->pop_due(kT0 + 2ms).has_value());
}

TEST(TimerQueue, EntriesScheduledAfterADispatchBeganWaitForTheNext) {
  auto queue = std::make_shared<TimerQueue>();
  int runs = 0;
  std::function<void()> again = [&] {
    ++runs;
    queue->schedule(kT0 - 1s, again);  // re-arms itself for the past
  };
  queue->schedule(kT0, again);
  std::string order;
  queue->schedule(kT0 + 1ms, [&] { order += 'x'; });
  const std::uint64_t before = queue->next_sequence();
  while (auto fn = queue->pop_due(kT0 + 1ms, before)) (*fn)();
  // One run of the re-arming entry, and the later one still ran: the re-armed entry (earlier
  // deadline, later sequence) was passed over, not run again and again.
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(order, "x");
  EXPECT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->next(), kT0 - 1s);
  const std::uint64_t next_dispatch = queue->next_sequence();
  while (auto fn = queue->pop_due(kT0 + 1ms, next_dispatch)) (*fn)();
  EXPECT_EQ(runs, 2);
}

TEST(TimerQueue, AHandleCancelsItsEntryAndSaysWhetherItIsPending) {
  auto queue = std::make_shared<TimerQueue>();
  bool fired = false;
  TimerHandle cancelled = queue->arm(kT0, [&] { fired = true; });
  {
    TimerHandle dropped = queue->arm(kT0, [&] { fired = true; });
  }
  TimerHandle kept = queue->arm(kT0 + 1ms, [] {});
  EXPECT_TRUE(cancelled.pending());
  cancelled.cancel();
  EXPECT_FALSE(cancelled.pending());
  EXPECT_EQ(queue->size(), 1u);
  drain(*queue, kT0 + 1ms);
  EXPECT_FALSE(fired);
  EXPECT_FALSE(kept.pending());  // it ran
}

TEST(TimerQueue, AnEntryIsOutOfTheQueueBeforeItRunsSoItMayDropItsOwnHandle) {
  auto queue = std::make_shared<TimerQueue>();
  TimerHandle self;
  bool was_pending = true;
  self = queue->arm(kT0, [&] {
    was_pending = self.pending();
    self = TimerHandle();  // destroys the running entry's handle
  });
  drain(*queue, kT0);
  EXPECT_FALSE(was_pending);
  EXPECT_TRUE(queue->empty());
}

TEST(TimerQueue, HandlesMayOutliveTheQueue) {
  TimerHandle survivor;
  {
    auto queue = std::make_shared<TimerQueue>();
    survivor = queue->arm(kT0, [] {});
    EXPECT_TRUE(survivor.pending());
  }
  EXPECT_FALSE(survivor.pending());
  survivor.cancel();
}

}  // namespace
}  // namespace rrtc::io
