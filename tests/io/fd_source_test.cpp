// io::attach_readable_source: a dispatch leaves nothing behind for the next poll, where a plain
// g_unix_fd_source (blocked by GLib for its dispatch) leaves the context's wake-up fd readable
// and so costs an empty loop iteration per dispatch (io/fd_source.hpp).

#include "io/fd_source.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace rrtc::io {
namespace {

// What the context's last poll found: descriptors polled and descriptors ready.
struct PollRecord {
  int polled = 0;
  int ready = 0;
};
PollRecord last_poll;

gint recording_poll(GPollFD* fds, guint count, gint timeout) {
  const gint ready = g_poll(fds, count, timeout);
  last_poll = {static_cast<int>(count), ready};
  return ready;
}

struct Reader {
  int fd = -1;
  int dispatches = 0;
};

gboolean read_eventfd(gint fd, GIOCondition /*condition*/, gpointer data) {
  std::uint64_t value = 0;
  EXPECT_EQ(read(fd, &value, sizeof(value)), static_cast<ssize_t>(sizeof(value)));
  ++static_cast<Reader*>(data)->dispatches;
  return G_SOURCE_CONTINUE;
}

class FdSource : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = g_main_context_new();
    g_main_context_set_poll_func(context_, &recording_poll);
    ASSERT_TRUE(g_main_context_acquire(context_));
    reader_.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ASSERT_GE(reader_.fd, 0);
  }
  void TearDown() override {
    if (source_ != nullptr) {
      g_source_destroy(source_);
      g_source_unref(source_);
    }
    close(reader_.fd);
    g_main_context_release(context_);
    g_main_context_unref(context_);
  }
  void signal() const {
    const std::uint64_t one = 1;
    ASSERT_EQ(write(reader_.fd, &one, sizeof(one)), static_cast<ssize_t>(sizeof(one)));
  }
  // One event: dispatched by the first iteration; returns how many descriptors the poll of a
  // second, non-blocking iteration found ready.
  int ready_after_one_dispatch() {
    // Attaching the source added its descriptor, which woke the context: take that first.
    EXPECT_FALSE(g_main_context_iteration(context_, FALSE));
    EXPECT_EQ(last_poll.ready, 1);
    EXPECT_FALSE(g_main_context_iteration(context_, FALSE));
    EXPECT_EQ(last_poll.ready, 0);
    signal();
    EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
    EXPECT_EQ(reader_.dispatches, 1);
    EXPECT_EQ(last_poll.ready, 1);  // the eventfd
    EXPECT_FALSE(g_main_context_iteration(context_, FALSE));
    EXPECT_EQ(reader_.dispatches, 1);
    return last_poll.ready;
  }

  GMainContext* context_ = nullptr;
  GSource* source_ = nullptr;
  Reader reader_;
};

TEST_F(FdSource, DispatchLeavesNoWakeUpForTheNextPoll) {
  source_ = attach_readable_source(context_, reader_.fd, &read_eventfd, &reader_);
  EXPECT_EQ(ready_after_one_dispatch(), 0);
  EXPECT_EQ(last_poll.polled, 2);  // the context's wake-up fd and the eventfd
  // Many events, each dispatched once and each followed by a poll that finds nothing.
  for (int i = 0; i < 100; ++i) {
    signal();
    EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
    EXPECT_FALSE(g_main_context_iteration(context_, FALSE));
    EXPECT_EQ(last_poll.ready, 0);
  }
  EXPECT_EQ(reader_.dispatches, 101);
}

// Why the helper exists: GLib's own fd source, blocked during its dispatch, removes and re-adds
// its descriptor, which signals the context's wake-up fd. Should a GLib release stop doing that,
// this fails and fd_source.hpp's reason is gone.
TEST_F(FdSource, PlainUnixFdSourceLeavesTheWakeUpFdReadable) {
  source_ = g_unix_fd_source_new(reader_.fd, G_IO_IN);
  g_source_set_callback(source_, reinterpret_cast<GSourceFunc>(&read_eventfd), &reader_, nullptr);
  g_source_attach(source_, context_);
  EXPECT_EQ(ready_after_one_dispatch(), 1);
}

}  // namespace
}  // namespace rrtc::io
