// io::ReadableWatch: many descriptors polled as one (the worker's media sockets in one epoll
// set), level-triggered, a watch removed inside a dispatch never called afterwards (ASan would
// see a freed registration), and watches that outlive their context.

#include "io/readable_set.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace rrtc::io {
namespace {

// Descriptors the context's last poll was given.
int last_polled = 0;

gint recording_poll(GPollFD* fds, guint count, gint timeout) {
  last_polled = static_cast<int>(count);
  return g_poll(fds, count, timeout);
}

struct Reader {
  int fd = -1;
  int calls = 0;
  bool consume = true;              // read the eventfd (else it stays readable)
  ReadableWatch* remove = nullptr;  // a watch this reader's callback removes
  ReadableWatch watch;
};

void on_readable(void* data) noexcept {
  auto* reader = static_cast<Reader*>(data);
  ++reader->calls;
  if (reader->consume) {
    std::uint64_t value = 0;
    [[maybe_unused]] const ssize_t got = read(reader->fd, &value, sizeof(value));
  }
  if (reader->remove != nullptr) reader->remove->reset();
}

class ReadableSet : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = g_main_context_new();
    g_main_context_set_poll_func(context_, &recording_poll);
    ASSERT_TRUE(g_main_context_acquire(context_));
  }
  void TearDown() override {
    readers_.clear();  // their watches go before the context
    if (context_ != nullptr) {
      g_main_context_release(context_);
      g_main_context_unref(context_);
    }
    for (int fd : fds_) close(fd);
  }
  Reader& add_reader() {
    const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    EXPECT_GE(fd, 0);
    fds_.push_back(fd);
    readers_.push_back(std::make_unique<Reader>());
    Reader& reader = *readers_.back();
    reader.fd = fd;
    reader.watch = ReadableWatch::watch(context_, fd, &on_readable, &reader);
    EXPECT_TRUE(reader.watch.active());
    return reader;
  }
  static void signal(const Reader& reader) {
    const std::uint64_t one = 1;
    ASSERT_EQ(write(reader.fd, &one, sizeof(one)), static_cast<ssize_t>(sizeof(one)));
  }
  void iterate_until_idle() {
    for (int i = 0; i < 10 && g_main_context_iteration(context_, FALSE); ++i) {
    }
  }

  GMainContext* context_ = nullptr;
  std::vector<int> fds_;
  std::vector<std::unique_ptr<Reader>> readers_;
};

TEST_F(ReadableSet, ManyDescriptorsArePolledAsOne) {
  Reader& first = add_reader();
  iterate_until_idle();
  const int polled_with_one = last_polled;
  for (int i = 0; i < 200; ++i) add_reader();
  EXPECT_EQ(ReadableWatch::watched(context_), 201u);
  iterate_until_idle();
  EXPECT_EQ(last_polled, polled_with_one);  // the context's wake-up fd and the epoll set
  EXPECT_EQ(last_polled, 2);
  signal(first);
  signal(*readers_[150]);
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(readers_[150]->calls, 1);
  EXPECT_EQ(readers_[1]->calls, 0);
}

TEST_F(ReadableSet, ADescriptorLeftReadableIsReportedAgain) {
  Reader& reader = add_reader();
  iterate_until_idle();
  reader.consume = false;
  signal(reader);
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_EQ(reader.calls, 2);
  reader.consume = true;
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_EQ(reader.calls, 3);
  iterate_until_idle();
  EXPECT_EQ(reader.calls, 3);
}

TEST_F(ReadableSet, AWatchRemovedDuringADispatchIsNotCalledAfter) {
  // Both ready in the same dispatch; whichever runs first removes the other.
  Reader& a = add_reader();
  Reader& b = add_reader();
  iterate_until_idle();
  a.remove = &b.watch;
  b.remove = &a.watch;
  signal(a);
  signal(b);
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_EQ(a.calls + b.calls, 1);
  EXPECT_EQ(ReadableWatch::watched(context_), 1u);
  // The removed one is no longer watched; the remaining one still is.
  Reader& survivor = a.calls == 1 ? a : b;
  Reader& removed = a.calls == 1 ? b : a;
  survivor.remove = nullptr;
  signal(survivor);
  iterate_until_idle();
  EXPECT_EQ(survivor.calls, 2);
  EXPECT_EQ(removed.calls, 0);
}

TEST_F(ReadableSet, AWatchMayRemoveItselfFromItsCallback) {
  Reader& reader = add_reader();
  iterate_until_idle();
  reader.remove = &reader.watch;
  signal(reader);
  EXPECT_TRUE(g_main_context_iteration(context_, FALSE));
  EXPECT_FALSE(reader.watch.active());
  signal(reader);
  iterate_until_idle();
  EXPECT_EQ(reader.calls, 1);
  EXPECT_EQ(ReadableWatch::watched(context_), 0u);
}

TEST_F(ReadableSet, WatchesMayOutliveTheirContext) {
  Reader& reader = add_reader();
  g_main_context_release(context_);
  g_main_context_unref(context_);
  context_ = nullptr;
  reader.watch.reset();  // closes the set's epoll descriptor with the last reference
  EXPECT_FALSE(reader.watch.active());
}

TEST_F(ReadableSet, EachContextHasItsOwnSet) {
  add_reader();
  GMainContext* other = g_main_context_new();
  EXPECT_EQ(ReadableWatch::watched(other), 0u);
  g_main_context_unref(other);
  EXPECT_EQ(ReadableWatch::watched(context_), 1u);
}

}  // namespace
}  // namespace rrtc::io
