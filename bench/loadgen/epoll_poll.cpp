#include "epoll_poll.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "clock.hpp"

namespace rrtc::loadgen {
namespace {

gint epoll_poll(GPollFD* fds, guint count, gint timeout_ms) {
  thread_local EpollPoller poller;
  return poller.poll(fds, count, timeout_ms, mono_ns() / 1'000'000);
}

}  // namespace

EpollPoller::EpollPoller() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {}

EpollPoller::~EpollPoller() {
  if (epfd_ >= 0) close(epfd_);
}

void EpollPoller::grow(int fd) {
  const auto need = static_cast<std::size_t>(fd) + 1;
  if (events_.size() >= need) return;
  events_.resize(need, 0);
  seen_.resize(need, 0);
  index_.resize(need, 0);
}

void EpollPoller::forget(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);  // fails harmlessly once the file is closed
  if (events_[fd] != 0) --registered_count_;
  events_[fd] = 0;
}

bool EpollPoller::sync(GPollFD* fds, guint count) {
  ++generation_;
  for (guint i = 0; i < count; ++i) {
    const int fd = fds[i].fd;
    if (fd < 0) return false;
    grow(fd);
    if (seen_[fd] == generation_) return false;  // listed twice: leave it to poll(2)
    // Absent from the previous call (or never listed): its number may have been closed and
    // reused since, and a closed file leaves the epoll set by itself, so check the registration.
    const bool returning = seen_[fd] + 1 != generation_;
    seen_[fd] = generation_;
    index_[fd] = i;
    fds[i].revents = 0;
    const auto wanted = static_cast<std::uint16_t>(fds[i].events + 1);
    if (events_[fd] == wanted && !returning) continue;
    epoll_event event{};
    event.events = fds[i].events;
    event.data.fd = fd;
    if (events_[fd] != 0) {
      if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &event) == 0) {
        events_[fd] = wanted;
        continue;
      }
      const bool gone = errno == ENOENT;  // the registered file was closed: a new one
      forget(fd);
      if (!gone) return false;
    }
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &event) != 0) return false;
    ++registered_count_;
    registered_fds_.push_back(fd);
    events_[fd] = wanted;
  }
  return true;
}

int EpollPoller::reconcile() {
  int added = 0;
  for (const int fd : registered_fds_) {
    if (events_[fd] == 0) continue;
    if (seen_[fd] != generation_) {
      forget(fd);  // not in the latest listing: checked again if it comes back
      continue;
    }
    epoll_event event{};
    event.events = static_cast<std::uint32_t>(events_[fd] - 1);
    event.data.fd = fd;
    if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &event) == 0) continue;
    if (errno == ENOENT && epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &event) == 0) {
      ++added;
      continue;
    }
    forget(fd);  // closed: the next sync adds it again if GLib still lists it
  }
  // Forgotten descriptors out, and those forgotten and registered again listed once.
  std::erase_if(registered_fds_, [&](int fd) { return events_[fd] == 0; });
  std::sort(registered_fds_.begin(), registered_fds_.end());
  registered_fds_.erase(std::unique(registered_fds_.begin(), registered_fds_.end()),
                        registered_fds_.end());
  return added;
}

int EpollPoller::poll(GPollFD* fds, guint count, int timeout_ms, std::int64_t now_ms) {
  if (epfd_ < 0 || !sync(fds, count)) {
    ++fallbacks_;
    return g_poll(fds, count, timeout_ms);
  }
  if (now_ms >= next_reconcile_ms_) {
    next_reconcile_ms_ = now_ms + kReconcileMs;
    reconcile();
  }
  // Room for every registration, the unlisted ones too: they must not crowd out listed ones.
  ready_.resize(std::max<std::size_t>({count, registered_count_, 1}));
  int n;
  do {
    n = epoll_wait(epfd_, ready_.data(), static_cast<int>(ready_.size()), timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    ++fallbacks_;
    return g_poll(fds, count, 0);
  }
  int reported = 0;
  for (int i = 0; i < n; ++i) {
    const int fd = ready_[i].data.fd;
    if (seen_[fd] != generation_) {
      // Registered but not listed this time: GLib dropped it, or listed only the higher
      // priorities' descriptors (g_main_context_query's max_priority). Unregistered only now
      // that it is ready, so a descriptor left out of one call costs no system calls, and one
      // no longer polled cannot keep waking the loop.
      forget(fd);
      continue;
    }
    fds[index_[fd]].revents = static_cast<gushort>(ready_[i].events & 0xffff);
    ++reported;
  }
  return reported;
}

void install_epoll_poll(GMainContext* context) {
  g_main_context_set_poll_func(context, epoll_poll);
}

}  // namespace rrtc::loadgen
