#include "epoll_poll.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace rrtc::loadgen {
namespace {

struct Pair {
  int fds[2] = {-1, -1};
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds), 0); }
  ~Pair() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
  void send() const { EXPECT_EQ(write(fds[1], "x", 1), 1); }
  void drain() const {
    char byte;
    while (read(fds[0], &byte, 1) == 1) {
    }
  }
};

TEST(EpollPoller, ReportsWhatPollWouldOnTheSameArray) {
  Pair a, b, c;
  b.send();
  std::array<GPollFD, 3> fds{
      {{a.fds[0], G_IO_IN, 7}, {b.fds[0], G_IO_IN, 7}, {c.fds[1], G_IO_OUT, 7}}};
  EpollPoller poller;
  EXPECT_EQ(poller.poll(fds.data(), 3, 0, 0), 2);
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_EQ(fds[1].revents, G_IO_IN);
  EXPECT_EQ(fds[2].revents, G_IO_OUT);
  EXPECT_EQ(poller.registered(), 3u);
  // Level-triggered, as poll(2): still readable until drained.
  EXPECT_EQ(poller.poll(fds.data(), 3, 0, 1), 2);
  EXPECT_EQ(fds[1].revents, G_IO_IN);
  b.drain();
  EXPECT_EQ(poller.poll(fds.data(), 3, 0, 2), 1);
  EXPECT_EQ(fds[1].revents, 0);
  EXPECT_EQ(poller.fallbacks(), 0u);
}

TEST(EpollPoller, FollowsDescriptorsAddedRemovedAndEventsChanged) {
  Pair a, b;
  a.send();
  b.send();
  EpollPoller poller;
  std::array<GPollFD, 2> two{{{a.fds[0], G_IO_IN, 0}, {b.fds[0], G_IO_IN, 0}}};
  EXPECT_EQ(poller.poll(two.data(), 2, 0, 0), 2);
  // b no longer listed: not reported, and unregistered.
  std::array<GPollFD, 1> one{{{a.fds[0], G_IO_IN, 0}}};
  EXPECT_EQ(poller.poll(one.data(), 1, 0, 0), 1);
  EXPECT_EQ(poller.registered(), 1u);
  // a now asked for writability only.
  one[0].events = G_IO_OUT;
  EXPECT_EQ(poller.poll(one.data(), 1, 0, 0), 1);
  EXPECT_EQ(one[0].revents, G_IO_OUT);
  // Nothing ready and a timeout: 0 after it.
  a.drain();
  one[0].events = G_IO_IN;
  EXPECT_EQ(poller.poll(one.data(), 1, 1, 0), 0);
  EXPECT_EQ(one[0].revents, 0);
}

TEST(EpollPoller, ADescriptorNumberReusedForANewSocketIsFoundAgainByReconcile) {
  EpollPoller poller;
  Pair a;
  const int number = a.fds[0];
  std::array<GPollFD, 1> fds{{{number, G_IO_IN, 0}}};
  EXPECT_EQ(poller.poll(fds.data(), 1, 0, 0), 0);
  // Closed and the number taken by a new socket between two polls, GLib's array unchanged.
  close(a.fds[0]);
  Pair b;
  int reused = b.fds[0] == number ? b.fds[0] : -1;
  if (reused < 0) {
    ASSERT_EQ(dup2(b.fds[0], number), number);
    close(b.fds[0]);
    b.fds[0] = number;
  }
  a.fds[0] = -1;
  b.send();
  // The dead registration cannot report it; the reconciliation (due at kReconcileMs) does.
  EXPECT_EQ(poller.poll(fds.data(), 1, 0, 1), 0);
  EXPECT_EQ(poller.poll(fds.data(), 1, 0, EpollPoller::kReconcileMs), 1);
  EXPECT_EQ(fds[0].revents, G_IO_IN);
}

TEST(EpollPoller, ADescriptorNumberLeftOutClosedAndReusedIsRegisteredWhenItComesBack) {
  EpollPoller poller;
  Pair a, other;
  const int number = a.fds[0];
  std::array<GPollFD, 1> with{{{number, G_IO_IN, 0}}};
  std::array<GPollFD, 1> without{{{other.fds[0], G_IO_IN, 0}}};
  EXPECT_EQ(poller.poll(with.data(), 1, 0, 0), 0);
  EXPECT_EQ(poller.poll(without.data(), 1, 0, 1), 0);  // its source went away
  close(a.fds[0]);
  a.fds[0] = -1;
  Pair b;
  if (b.fds[0] != number) {
    ASSERT_EQ(dup2(b.fds[0], number), number);
    close(b.fds[0]);
    b.fds[0] = number;
  }
  b.send();
  // Listed again (a new source on the reused number): reported at once, no reconciliation due.
  EXPECT_EQ(poller.poll(with.data(), 1, 0, 2), 1);
  EXPECT_EQ(with[0].revents, G_IO_IN);
  EXPECT_EQ(poller.registered(), 2u);
}

TEST(EpollPoller, AClosedDescriptorFallsBackToPoll) {
  EpollPoller poller;
  int fds_pipe[2];
  ASSERT_EQ(pipe(fds_pipe), 0);
  close(fds_pipe[0]);
  close(fds_pipe[1]);
  std::array<GPollFD, 1> fds{{{fds_pipe[0], G_IO_IN, 0}}};
  EXPECT_EQ(poller.poll(fds.data(), 1, 0, 0), 1);  // poll(2) says POLLNVAL
  EXPECT_EQ(fds[0].revents, G_IO_NVAL);
  EXPECT_EQ(poller.fallbacks(), 1u);
}

}  // namespace
}  // namespace rrtc::loadgen
