// io::SideContext: a libnice agent's own GMainContext, iterated by the worker's loop only when one
// of its descriptors is readable, its earliest timeout is due or it was poked. What the worker
// saves depends on the rest staying untouched: a context with nothing to do is not iterated
// when another one is. Also: a descriptor number closed and reused is still heard, retire()
// inside the context's own dispatch frees it afterwards (ASan sees a use after free otherwise),
// and RRTC_LIBNICE_OWN_CONTEXT=0 puts everything back on the worker's context.

#include "io/side_context.hpp"

#include <glib-unix.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "io/glib_loop.hpp"

namespace rrtc::io {
namespace {

using std::chrono::milliseconds;

time::Duration ms(int count) { return time::to_duration(milliseconds(count)); }

// A readable eventfd as a GLib source on a context, counting its dispatches.
struct FdReader {
  int fd = -1;
  int calls = 0;
  GSource* source = nullptr;

  FdReader(GMainContext* context, int descriptor) : fd(descriptor) {
    source = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(source, reinterpret_cast<GSourceFunc>(&on_ready), this, nullptr);
    g_source_attach(source, context);
  }
  ~FdReader() {
    g_source_destroy(source);
    g_source_unref(source);
  }
  static gboolean on_ready(gint descriptor, GIOCondition, gpointer data) {
    auto* self = static_cast<FdReader*>(data);
    ++self->calls;
    std::uint64_t value = 0;
    [[maybe_unused]] const ssize_t got = read(descriptor, &value, sizeof(value));
    return G_SOURCE_CONTINUE;
  }
};

void signal(int fd) {
  const std::uint64_t one = 1;
  ASSERT_EQ(write(fd, &one, sizeof(one)), static_cast<ssize_t>(sizeof(one)));
}

int new_eventfd() { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

TEST(SideContext, ATimerOnTheOwnContextFiresAfterAPoke) {
  GlibLoop loop;
  auto side = std::make_unique<SideContext>(loop);
  ASSERT_TRUE(side->enabled());
  EXPECT_NE(side->context(), loop.context());
  bool fired = false;
  GSource* timeout = g_timeout_source_new(20);
  g_source_set_callback(
      timeout,
      [](gpointer data) -> gboolean {
        *static_cast<bool*>(data) = true;
        return G_SOURCE_REMOVE;
      },
      &fired, nullptr);
  g_source_attach(timeout, side->context());
  g_source_unref(timeout);
  side->poke();  // the loop learns of the timer on the iteration the poke asks for
  EXPECT_TRUE(loop.run_until([&] { return fired; }, ms(2000)));
  // The poke's iteration queried the timer, then the timer's own deadline: two iterations, not
  // one per wake-up of the worker.
  EXPECT_LE(side->iterations(), 3u);
}

TEST(SideContext, AReadableDescriptorIsDispatchedWithoutAPoke) {
  GlibLoop loop;
  auto side = std::make_unique<SideContext>(loop);
  const int fd = new_eventfd();
  ASSERT_GE(fd, 0);
  {
    FdReader reader(side->context(), fd);
    side->poke();
    EXPECT_TRUE(loop.run_until([&] { return side->watched() > 0; }, ms(2000)));
    const std::uint64_t before = side->iterations();
    signal(fd);
    EXPECT_TRUE(loop.run_until([&] { return reader.calls == 1; }, ms(500)));
    // Woken by its socket well before kMaxWait (the test's 500 ms is under it).
    EXPECT_LE(side->iterations() - before, 3u);
  }
  close(fd);
}

TEST(SideContext, OnlyTheContextWithSomethingToDoIsIterated) {
  GlibLoop loop;
  constexpr int kContexts = 50;
  std::vector<std::unique_ptr<SideContext>> sides;
  std::vector<std::unique_ptr<FdReader>> readers;
  std::vector<int> fds;
  for (int i = 0; i < kContexts; ++i) {
    sides.push_back(std::make_unique<SideContext>(loop));
    fds.push_back(new_eventfd());
    readers.push_back(std::make_unique<FdReader>(sides.back()->context(), fds.back()));
    sides.back()->poke();
  }
  EXPECT_TRUE(loop.run_until(
      [&] {
        for (const auto& side : sides) {
          if (side->watched() == 0) return false;
        }
        return true;
      },
      ms(2000)));
  std::vector<std::uint64_t> before;
  for (const auto& side : sides) before.push_back(side->iterations());
  for (int round = 1; round <= 20; ++round) {
    signal(fds[7]);
    EXPECT_TRUE(loop.run_until([&] { return readers[7]->calls == round; }, ms(500)));
  }
  for (int i = 0; i < kContexts; ++i) {
    if (i == 7) {
      EXPECT_GE(sides[static_cast<std::size_t>(i)]->iterations() - before[7], 20u);
    } else {
      // Only kMaxWait's own iteration may come in the time the rounds took (well under it here
      // unless the machine stalls: at most one per second).
      EXPECT_LE(
          sides[static_cast<std::size_t>(i)]->iterations() - before[static_cast<std::size_t>(i)],
          2u)
          << "context " << i;
    }
  }
  readers.clear();
  for (int fd : fds) close(fd);
}

TEST(SideContext, ADescriptorNumberClosedAndReusedIsStillHeard) {
  GlibLoop loop;
  auto side = std::make_unique<SideContext>(loop);
  int fd = new_eventfd();
  auto reader = std::make_unique<FdReader>(side->context(), fd);
  side->poke();
  ASSERT_TRUE(loop.run_until([&] { return side->watched() > 0; }, ms(2000)));
  // Closed behind the context's back (epoll forgets the file) and the number reused at once, as
  // libnice may do between two queries: the source on the new file looks the same to GLib.
  reader.reset();
  close(fd);
  const int reused = new_eventfd();
  ASSERT_EQ(reused, fd);
  reader = std::make_unique<FdReader>(side->context(), reused);
  const auto heard_within = [&](int calls, time::Duration limit) {
    loop.run_until([] { return false; }, ms(50));  // nothing else pending (GLib's own wake-up)
    signal(reused);
    return loop.run_until([&] { return reader->calls == calls; }, limit);
  };
  // Heard at the latest when kMaxWait's iteration polls it, which watches it again.
  const time::Duration made_up = time::to_duration(SideContext::kMaxWait) + ms(1000);
  EXPECT_TRUE(heard_within(1, made_up));
  EXPECT_TRUE(heard_within(2, made_up));
  // By now watched again: heard through the epoll set, long before kMaxWait.
  EXPECT_TRUE(heard_within(3, ms(300)));
  reader.reset();
  close(reused);
}

TEST(SideContext, RetireInsideItsOwnDispatchFreesItWhenTheIterationEnds) {
  GlibLoop loop;
  auto* side = new SideContext(loop);
  struct Retiring {
    SideContext* side;
    bool ran = false;
  } retiring{side};
  GSource* idle = g_idle_source_new();
  g_source_set_callback(
      idle,
      [](gpointer data) -> gboolean {
        auto* self = static_cast<Retiring*>(data);
        self->ran = true;
        self->side->retire();  // as on_agent_closed does, from the context's own dispatch
        return G_SOURCE_REMOVE;
      },
      &retiring, nullptr);
  g_source_attach(idle, side->context());
  g_source_unref(idle);
  side->poke();
  EXPECT_TRUE(loop.run_until([&] { return retiring.ran; }, ms(2000)));
  // Freed by now; the loop runs on without touching it.
  loop.run_until([] { return false; }, ms(50));
}

TEST(SideContext, RetireOutsideADispatchFreesAtOnce) {
  GlibLoop loop;
  auto* side = new SideContext(loop);
  side->poke();
  side->retire();  // its pending timer goes with it
  loop.run_until([] { return false; }, ms(50));
}

TEST(SideContext, TurnedOffEverythingStaysOnTheWorkersContext) {
  ASSERT_EQ(setenv("RRTC_LIBNICE_OWN_CONTEXT", "0", 1), 0);
  GlibLoop loop;
  auto side = std::make_unique<SideContext>(loop);
  unsetenv("RRTC_LIBNICE_OWN_CONTEXT");
  EXPECT_FALSE(side->enabled());
  EXPECT_EQ(side->context(), loop.context());
  const int fd = new_eventfd();
  {
    FdReader reader(side->context(), fd);
    side->poke();  // nothing to do
    signal(fd);
    EXPECT_TRUE(loop.run_until([&] { return reader.calls == 1; }, ms(500)));
    EXPECT_EQ(side->iterations(), 0u);
  }
  close(fd);
}

}  // namespace
}  // namespace rrtc::io
