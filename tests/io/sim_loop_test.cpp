#include "io/sim_loop.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rrtc::io {
namespace {

using namespace std::chrono_literals;
using time::Duration;
using time::Timestamp;

// Microseconds since the loop's epoch: readable expectations.
std::int64_t since_epoch(Timestamp t) { return (t - SimLoop::kEpoch).count(); }

TEST(SimLoop, StartsAtAFixedEpochAndOnlyMovesWhenDriven) {
  SimLoop loop;
  EXPECT_EQ(loop.now(), Timestamp(std::chrono::seconds(1000)));
  EXPECT_EQ(loop.advance(0us), 0u);
  EXPECT_EQ(loop.now(), SimLoop::kEpoch);
  EXPECT_EQ(loop.advance(1500us), 0u);
  EXPECT_EQ(since_epoch(loop.now()), 1500);
  loop.advance_to(SimLoop::kEpoch);  // never backwards
  EXPECT_EQ(since_epoch(loop.now()), 1500);
}

TEST(SimLoop, PostRunsLaterInPostOrderNeverInline) {
  SimLoop loop;
  std::vector<int> order;
  loop.post([&] { order.push_back(1); });
  loop.post([&] {
    order.push_back(2);
    loop.post([&] { order.push_back(4); });
    order.push_back(3);
  });
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(loop.pending_events(), 2u);
  EXPECT_EQ(loop.advance(0us), 3u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(loop.now(), SimLoop::kEpoch);  // posting takes no simulated time
  EXPECT_EQ(loop.events_run(), 3u);
}

TEST(SimLoop, EventsRunByDeadlineThenSchedulingOrderAtTheirOwnTime) {
  SimLoop loop;
  std::vector<std::pair<std::string, std::int64_t>> trace;
  auto record = [&](std::string name) {
    return [&trace, &loop, name] { trace.emplace_back(name, since_epoch(loop.now())); };
  };
  TimerHandle late = loop.add_timer(30ms, record("late"));
  TimerHandle first = loop.add_timer(10ms, record("first-at-10"));
  loop.post_at(loop.now() + 10ms, record("second-at-10"));
  TimerHandle third = loop.add_timer(SimLoop::kEpoch + 10ms, record("third-at-10"));
  loop.post(record("posted"));
  loop.post_at(loop.now() - 5ms, record("past"));  // clamped to now, after "posted"
  EXPECT_EQ(loop.next_event(), SimLoop::kEpoch);
  EXPECT_EQ(loop.advance_to(SimLoop::kEpoch + 20ms), 5u);
  EXPECT_EQ(since_epoch(loop.now()), 20000);
  EXPECT_EQ(loop.next_event(), SimLoop::kEpoch + 30ms);
  EXPECT_TRUE(late.pending());
  EXPECT_FALSE(first.pending());
  loop.advance(1s);
  const std::vector<std::pair<std::string, std::int64_t>> expected{
      {"posted", 0},          {"past", 0},    {"first-at-10", 10000}, {"second-at-10", 10000},
      {"third-at-10", 10000}, {"late", 30000}};
  EXPECT_EQ(trace, expected);
  EXPECT_EQ(loop.next_event(), std::nullopt);
}

TEST(SimLoop, CancelledDestroyedAndReplacedTimersNeverFire) {
  SimLoop loop;
  std::vector<std::string> fired;
  TimerHandle cancelled = loop.add_timer(5ms, [&] { fired.push_back("cancelled"); });
  {
    TimerHandle destroyed = loop.add_timer(5ms, [&] { fired.push_back("destroyed"); });
  }
  TimerHandle replaced = loop.add_timer(5ms, [&] { fired.push_back("replaced"); });
  replaced = loop.add_timer(6ms, [&] { fired.push_back("replacement"); });
  TimerHandle moved_from = loop.add_timer(7ms, [&] { fired.push_back("moved"); });
  TimerHandle moved_to = std::move(moved_from);
  EXPECT_TRUE(cancelled.pending());
  cancelled.cancel();
  cancelled.cancel();  // idempotent
  EXPECT_FALSE(cancelled.pending());
  EXPECT_FALSE(moved_from.pending());  // NOLINT(bugprone-use-after-move): the moved-from state
  EXPECT_TRUE(moved_to.pending());
  EXPECT_EQ(loop.pending_events(), 2u);  // cancelling removes the event
  loop.advance(10ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"replacement", "moved"}));
  EXPECT_FALSE(replaced.pending());
}

TEST(SimLoop, ACallbackMayReplaceItsOwnHandle) {
  SimLoop loop;
  std::vector<std::int64_t> ticks;
  TimerHandle tick;
  std::function<void()> arm = [&] {
    tick = loop.add_timer(20ms, [&] {
      ticks.push_back(since_epoch(loop.now()));
      EXPECT_FALSE(tick.pending());  // out of the queue while it runs
      if (ticks.size() < 3) arm();
    });
  };
  arm();
  EXPECT_TRUE(loop.run_until_idle(1s));
  EXPECT_EQ(ticks, (std::vector<std::int64_t>{20000, 40000, 60000}));
  EXPECT_EQ(since_epoch(loop.now()), 60000);  // idle: the clock stays at the last event
}

TEST(SimLoop, RunUntilIdleIsBoundedForAPeriodicTimer) {
  SimLoop loop;
  int ticks = 0;
  TimerHandle tick;
  std::function<void()> arm = [&] {
    tick = loop.add_timer(20ms, [&] {
      ++ticks;
      arm();
    });
  };
  arm();
  EXPECT_FALSE(loop.run_until_idle(100ms));
  EXPECT_EQ(ticks, 5);  // at 20, 40, 60, 80 and 100 ms
  EXPECT_EQ(since_epoch(loop.now()), 100000);
  EXPECT_EQ(loop.pending_events(), 1u);
  EXPECT_FALSE(loop.run_until_idle(1h, 3));  // the event budget bounds it too
  EXPECT_EQ(ticks, 8);
}

TEST(SimLoop, RunUntilStopsAtTheEventThatSatisfiesIt) {
  SimLoop loop;
  int value = 0;
  TimerHandle a = loop.add_timer(10ms, [&] { value = 1; });
  TimerHandle b = loop.add_timer(25ms, [&] { value = 2; });
  TimerHandle c = loop.add_timer(40ms, [&] { value = 3; });
  EXPECT_TRUE(loop.run_until([&] { return value == 2; }, 1s));
  EXPECT_EQ(since_epoch(loop.now()), 25000);
  EXPECT_TRUE(c.pending());
  // Not reached within `max`: false, the clock at start + max, later events untouched.
  EXPECT_FALSE(loop.run_until([&] { return value == 4; }, 100ms));
  EXPECT_EQ(value, 3);
  EXPECT_EQ(since_epoch(loop.now()), 125000);
  // Already true: runs nothing.
  loop.post([&] { value = 5; });
  EXPECT_TRUE(loop.run_until([&] { return value == 3; }, 1s));
  EXPECT_EQ(value, 3);
}

TEST(SimLoop, WorksThroughTheEventLoopInterface) {
  SimLoop sim;
  EventLoop& loop = sim;
  Timestamp fired_at{};
  TimerHandle timer = loop.add_timer(loop.now() + 1234us, [&] { fired_at = loop.now(); });
  sim.advance(1233us);
  EXPECT_TRUE(timer.pending());
  sim.advance(1us);
  EXPECT_FALSE(timer.pending());
  EXPECT_EQ(since_epoch(fired_at), 1234);
}

TEST(SimLoop, HandlesMayOutliveTheLoop) {
  TimerHandle survivor;
  bool fired = false;
  {
    SimLoop loop;
    survivor = loop.add_timer(1ms, [&] { fired = true; });
    EXPECT_TRUE(survivor.pending());
  }
  EXPECT_FALSE(survivor.pending());
  survivor.cancel();
  EXPECT_FALSE(fired);
}

TEST(SimLoop, RunsRepeatExactly) {
  // The same calls give the same trace: nothing depends on addresses or real time.
  auto run = [] {
    SimLoop loop;
    std::vector<std::int64_t> trace;
    std::vector<TimerHandle> timers;
    for (int i = 0; i < 50; ++i) {
      const auto delay = Duration((i * 7919) % 1000);
      timers.push_back(loop.add_timer(
          delay, [&trace, &loop, i] { trace.push_back(since_epoch(loop.now()) * 100 + i); }));
    }
    loop.run_until_idle(1s);
    return trace;
  };
  const auto first = run();
  EXPECT_EQ(first.size(), 50u);
  EXPECT_EQ(first, run());
}

}  // namespace
}  // namespace rrtc::io
