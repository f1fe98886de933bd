#include "io/glib_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace rrtc::io {
namespace {

using namespace std::chrono_literals;

TEST(GlibLoop, PostRunsLaterInOrderOnTheDrivingThread) {
  GlibLoop loop;
  std::vector<int> order;
  loop.post([&] { order.push_back(1); });
  loop.post([&] {
    order.push_back(2);
    // Posting from inside a closure never runs inline.
    loop.post([&] { order.push_back(4); });
    order.push_back(3);
  });
  EXPECT_TRUE(order.empty());
  EXPECT_TRUE(loop.run_until([&] { return order.size() == 4; }, 5s));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(GlibLoop, RunUntilGivesUpAtTheDeadline) {
  GlibLoop loop;
  auto start = GlibLoop::Clock::now();
  EXPECT_FALSE(loop.run_until([] { return false; }, 100ms));
  auto elapsed = GlibLoop::Clock::now() - start;
  EXPECT_GE(elapsed, 90ms);
  EXPECT_LT(elapsed, 5s);
}

TEST(GlibLoop, TimerFiresAfterItsDelay) {
  GlibLoop loop;
  auto start = GlibLoop::Clock::now();
  GlibLoop::Clock::time_point fired;
  TimerHandle timer = loop.add_timer(50ms, [&] { fired = GlibLoop::Clock::now(); });
  EXPECT_TRUE(timer.pending());
  EXPECT_TRUE(loop.run_until([&] { return fired != GlibLoop::Clock::time_point(); }, 5s));
  EXPECT_GE(fired - start, 45ms);  // GLib rounds to the millisecond
  EXPECT_FALSE(timer.pending());
}

TEST(GlibLoop, NowIsTheSteadyClockInMicroseconds) {
  GlibLoop loop;
  const auto before = std::chrono::time_point_cast<time::Duration>(GlibLoop::Clock::now());
  const time::Timestamp now = loop.now();
  const auto after = std::chrono::time_point_cast<time::Duration>(GlibLoop::Clock::now());
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_LE(io::now() - now, 1s);
}

TEST(GlibLoop, TimerNeverFiresBeforeItsDeadline) {
  // Deadlines between whole milliseconds: GLib polls in milliseconds, rounded up.
  GlibLoop loop;
  EventLoop& events = loop;
  std::vector<time::Timestamp> deadlines;
  std::vector<time::Timestamp> fired;
  std::vector<TimerHandle> timers;
  for (int i = 0; i < 5; ++i) {
    const time::Timestamp deadline = events.now() + time::Duration(2500 + 1300 * i);
    deadlines.push_back(deadline);
    timers.push_back(events.add_timer(deadline, [&] { fired.push_back(events.now()); }));
  }
  ASSERT_TRUE(loop.run_until([&] { return fired.size() == deadlines.size(); }, 5s));
  for (std::size_t i = 0; i < deadlines.size(); ++i) {
    EXPECT_GE(fired[i], deadlines[i]) << i;
    EXPECT_LT(fired[i] - deadlines[i], 200ms) << i;  // generous: a shared, loaded machine
  }
}

TEST(GlibLoop, PastDeadlineFiresOnTheNextIteration) {
  GlibLoop loop;
  bool fired = false;
  TimerHandle timer = loop.add_timer(loop.now() - 1s, [&] { fired = true; });
  EXPECT_TRUE(timer.pending());
  EXPECT_TRUE(loop.run_until([&] { return fired; }, 5s));
  EXPECT_FALSE(timer.pending());
}

TEST(GlibLoop, TimersDueTogetherRunInOneWakeUpInDeadlineOrder) {
  // One source behind every timer (io/glib_loop.hpp): what is due when it dispatches runs there.
  GlibLoop loop;
  const time::Timestamp start = loop.now();
  std::string order;
  std::vector<std::uint64_t> wakeups;
  const auto record = [&](char name) {
    order += name;
    wakeups.push_back(loop.wakeups());
  };
  TimerHandle c = loop.add_timer(start + 3ms, [&] { record('c'); });
  TimerHandle a = loop.add_timer(start + 1ms, [&] { record('a'); });
  TimerHandle b = loop.add_timer(start + 2ms, [&] { record('b'); });
  TimerHandle b2 = loop.add_timer(start + 2ms, [&] { record('B'); });
  std::this_thread::sleep_for(10ms);  // all four are due before the loop first looks
  EXPECT_TRUE(loop.run_until([&] { return order.size() == 4; }, 5s));
  EXPECT_EQ(order, "abBc");
  ASSERT_EQ(wakeups.size(), 4u);
  EXPECT_EQ(wakeups.front(), wakeups.back());
}

TEST(GlibLoop, ATimerArmedForThePastFromATimerRunsOnTheNextWakeUp) {
  GlibLoop loop;
  std::vector<std::uint64_t> wakeups;
  TimerHandle again;
  TimerHandle first = loop.add_timer(loop.now(), [&] {
    wakeups.push_back(loop.wakeups());
    again = loop.add_timer(loop.now() - 1s, [&] { wakeups.push_back(loop.wakeups()); });
  });
  EXPECT_TRUE(loop.run_until([&] { return wakeups.size() == 2; }, 5s));
  ASSERT_EQ(wakeups.size(), 2u);
  EXPECT_EQ(wakeups[1], wakeups[0] + 1);
}

TEST(GlibLoop, ACallbackMayReplaceItsOwnHandle) {
  GlibLoop loop;
  int ticks = 0;
  TimerHandle tick;
  std::function<void()> arm = [&] {
    tick = loop.add_timer(1ms, [&] {
      ++ticks;
      if (ticks < 3) arm();  // destroys the running timer's handle
    });
  };
  arm();
  EXPECT_TRUE(loop.run_until([&] { return ticks == 3; }, 5s));
  EXPECT_FALSE(tick.pending());
}

TEST(GlibLoop, HandlesMayOutliveTheLoop) {
  TimerHandle survivor;
  bool fired = false;
  {
    GlibLoop loop;
    survivor = loop.add_timer(1h, [&] { fired = true; });
    EXPECT_TRUE(survivor.pending());
  }
  EXPECT_FALSE(survivor.pending());
  survivor.cancel();
  EXPECT_FALSE(fired);
}

TEST(GlibLoop, CancelledAndDestroyedTimersNeverFire) {
  GlibLoop loop;
  bool cancelled_fired = false;
  bool destroyed_fired = false;
  bool later_fired = false;
  TimerHandle cancelled = loop.add_timer(10ms, [&] { cancelled_fired = true; });
  {
    TimerHandle destroyed = loop.add_timer(10ms, [&] { destroyed_fired = true; });
  }
  TimerHandle later = loop.add_timer(60ms, [&] { later_fired = true; });
  cancelled.cancel();
  cancelled.cancel();  // idempotent
  EXPECT_FALSE(cancelled.pending());
  EXPECT_TRUE(loop.run_until([&] { return later_fired; }, 5s));
  EXPECT_FALSE(cancelled_fired);
  EXPECT_FALSE(destroyed_fired);
}

TEST(GlibLoop, MovedTimerHandleKeepsTheTimer) {
  GlibLoop loop;
  bool fired = false;
  TimerHandle first = loop.add_timer(10ms, [&] { fired = true; });
  TimerHandle second;
  second = std::move(first);
  EXPECT_FALSE(first.pending());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(second.pending());
  EXPECT_TRUE(loop.run_until([&] { return fired; }, 5s));
}

TEST(GlibLoop, ThreadRunsPostsFromManyThreads) {
  GlibLoop loop;
  loop.start("ice-test");
  constexpr int kThreads = 4;
  constexpr int kPosts = 500;
  std::atomic<int> ran{0};
  std::atomic<bool> all_on_loop{true};
  std::promise<void> done;
  std::vector<std::thread> posters;
  posters.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kPosts; ++i) {
        loop.post([&] {
          if (!loop.on_loop_thread()) {
            all_on_loop = false;
          }
          if (++ran == kThreads * kPosts) {
            done.set_value();
          }
        });
      }
    });
  }
  for (std::thread& poster : posters) {
    poster.join();
  }
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(ran.load(), kThreads * kPosts);
  EXPECT_TRUE(all_on_loop.load());
  EXPECT_FALSE(loop.on_loop_thread());
  loop.stop();
  loop.stop();  // idempotent
}

TEST(GlibLoop, TimersRunOnTheLoopThread) {
  GlibLoop loop;
  loop.start("ice-test");
  std::promise<bool> on_loop;
  TimerHandle timer;
  // Timers belong to the loop thread: create it there.
  loop.post(
      [&] { timer = loop.add_timer(20ms, [&] { on_loop.set_value(loop.on_loop_thread()); }); });
  std::future<bool> result = on_loop.get_future();
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(result.get());
  std::promise<void> released;
  loop.post([&] {
    timer.cancel();
    released.set_value();
  });
  released.get_future().wait();
  loop.stop();
}

TEST(GlibLoop, StopRunsWhatWasPostedBeforeItAndReturns) {
  GlibLoop loop;
  loop.start("ice-test");
  bool ran = false;  // written on the loop thread, read after join
  loop.post([&] { ran = true; });
  loop.stop();
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace rrtc::io
