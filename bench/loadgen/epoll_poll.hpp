#pragma once
// --poll epoll: a loop thread's GLib context polled through epoll(7) instead of poll(2).
//
// Not the default: in the big room at 800 subscribers (one worker, transport-cc off) the loop
// sat in epoll_wait about 250 ms at a time while its sockets held packets (strace: 12
// epoll_wait calls and 13,900 epoll_ctl in 3 s; both processes nearly idle, end-to-end latency
// 0.2-1.8 s), which GLib's poll(2) never did. Up to 600 subscribers no run showed it. The cause
// is not found (bench/forwarding-floor.md, "A load generator for 1,000 subscribers").
//
// Why: a loop thread holding 300 big-room subscribers has about 1,200 descriptors (each Peer's
// libnice socket and media socket, each WebSocket's), and GLib polls all of them on every
// wake-up: poll(2) takes a reference on each file and asks each socket for its state, which was
// a fifth of the loadgen's CPU at 300 subscribers (bench/forwarding-floor.md, "A load generator
// for 1,000 subscribers"). An epoll set holds the registrations between calls, so a wake-up
// costs what is ready, plus a comparison of GLib's descriptor array with the previous one.
//
// Same answers as poll(2): level-triggered, the same event bits (GLib's G_IO_* are poll's, and
// epoll's are the same on Linux), revents set only on the entries that are ready, the number of
// ready entries returned. A descriptor closed and its number reused between two polls with the
// same events would keep the old (dead) registration: a descriptor absent from the previous
// call has its registration checked when it comes back (EPOLL_CTL_MOD; ENOENT: added again), and
// every kReconcileMs every registration is, for a number closed and reused within one wake-up.
// A registered descriptor GLib no longer lists is unregistered when epoll reports it ready.
// Anything epoll refuses (a regular file, a closed descriptor) makes that call use g_poll.
//
// Threading: one EpollPoller per thread (the poll function keeps one per thread), one context
// per thread.

#include <glib.h>
#include <sys/epoll.h>

#include <cstdint>
#include <vector>

namespace rrtc::loadgen {

class EpollPoller {
 public:
  static constexpr std::int64_t kReconcileMs = 250;

  EpollPoller();
  ~EpollPoller();
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  // poll(2)'s contract on GLib's array. `now_ms`: a monotonic clock, for the reconciliation.
  int poll(GPollFD* fds, guint count, int timeout_ms, std::int64_t now_ms);
  // Checks every registration now: returns how many it had to add again.
  int reconcile();
  std::size_t registered() const { return registered_count_; }
  std::uint64_t fallbacks() const { return fallbacks_; }

 private:
  bool sync(GPollFD* fds, guint count);
  void grow(int fd);
  void forget(int fd);

  int epfd_ = -1;
  std::uint32_t generation_ = 0;
  std::vector<std::uint16_t> events_;  // by fd: registered events + 1 (0: not registered)
  std::vector<std::uint32_t> seen_;    // by fd: generation of the last call listing it
  std::vector<std::uint32_t> index_;   // by fd: its entry in this call's array
  std::vector<int> registered_fds_;
  std::size_t registered_count_ = 0;
  std::vector<epoll_event> ready_;
  std::int64_t next_reconcile_ms_ = 0;
  std::uint64_t fallbacks_ = 0;
};

// Makes `context` poll through the calling thread's EpollPoller (see above).
void install_epoll_poll(GMainContext* context);

}  // namespace rrtc::loadgen
