#include "source_sweeper.hpp"

#include <glib-unix.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rrtc::loadgen {
namespace {

gboolean count_ready(gint fd, GIOCondition, gpointer counter) {
  char byte = 0;
  EXPECT_EQ(read(fd, &byte, 1), 1);
  ++*static_cast<int*>(counter);
  return G_SOURCE_CONTINUE;
}

TEST(SourceSweeper, MarksTheSourcesAttachedSinceTheLastSweepOnce) {
  GMainContext* context = g_main_context_new();
  SourceSweeper sweeper(context, 0);
  GSource* a = g_idle_source_new();
  g_source_attach(a, context);
  GSource* b = g_timeout_source_new(1000);
  g_source_attach(b, context);
  EXPECT_FALSE(g_source_get_can_recurse(a));
  EXPECT_EQ(sweeper.sweep(), 2u);
  EXPECT_TRUE(g_source_get_can_recurse(a));
  EXPECT_TRUE(g_source_get_can_recurse(b));
  EXPECT_EQ(sweeper.sweep(), 0u);  // nothing new
  GSource* c = g_idle_source_new();
  g_source_attach(c, context);
  GSource* d = g_idle_source_new();
  g_source_attach(d, context);
  g_source_destroy(d);  // destroyed before the sweep: skipped, not counted
  EXPECT_EQ(sweeper.sweep(), 1u);
  EXPECT_TRUE(g_source_get_can_recurse(c));
  EXPECT_FALSE(g_source_get_can_recurse(d));
  EXPECT_EQ(sweeper.marked(), 3u);
  g_source_unref(d);
  for (GSource* s : {a, b, c}) {
    g_source_destroy(s);
    g_source_unref(s);
  }
  g_main_context_unref(context);
}

// A marked fd source is still dispatched once per readiness, and its descriptor stays polled.
TEST(SourceSweeper, AMarkedFdSourceKeepsBeingDispatched) {
  GMainContext* context = g_main_context_new();
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, fds), 0);
  int ready = 0;
  GSource* source = g_unix_fd_source_new(fds[0], G_IO_IN);
  g_source_set_callback(source, reinterpret_cast<GSourceFunc>(&count_ready), &ready, nullptr);
  g_source_attach(source, context);
  SourceSweeper sweeper(context, 0);
  ASSERT_EQ(sweeper.sweep(), 1u);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    g_main_context_iteration(context, TRUE);
    EXPECT_EQ(ready, i);
  }
  EXPECT_FALSE(g_main_context_iteration(context, FALSE));  // nothing left to read
  EXPECT_EQ(ready, 3);
  g_source_destroy(source);
  g_source_unref(source);
  close(fds[0]);
  close(fds[1]);
  g_main_context_unref(context);
}

// With a timer, the sweeper marks what the loop attaches without being called.
TEST(SourceSweeper, ItsTimerSweepsWhileTheContextRuns) {
  GMainContext* context = g_main_context_new();
  SourceSweeper sweeper(context, 1);
  GSource* late = g_timeout_source_new(60'000);
  g_source_attach(late, context);
  const gint64 deadline = g_get_monotonic_time() + 5'000'000;
  while (!g_source_get_can_recurse(late) && g_get_monotonic_time() < deadline) {
    g_main_context_iteration(context, TRUE);
  }
  EXPECT_TRUE(g_source_get_can_recurse(late));
  EXPECT_EQ(sweeper.marked(), 1u);
  g_source_destroy(late);
  g_source_unref(late);
  g_main_context_unref(context);
}

}  // namespace
}  // namespace rrtc::loadgen
