#include "io/side_context.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "io/glib_loop.hpp"

namespace rrtc::io {
namespace {

bool own_contexts_enabled() noexcept {
  const char* value = std::getenv("RRTC_LIBNICE_OWN_CONTEXT");
  return value == nullptr || std::string_view(value) != "0";
}

}  // namespace

SideContext::SideContext(GlibLoop& loop) : loop_(loop), shared_(loop.context()) {
  if (own_contexts_enabled()) own_ = g_main_context_new();
}

SideContext::~SideContext() {
  timer_.cancel();
  watches_.clear();  // before the descriptors close: the agent is gone or goes with the context
  if (own_ != nullptr) g_main_context_unref(own_);  // an agent still closing holds its own
}

void SideContext::poke() noexcept {
  if (own_ == nullptr || running_) return;  // a running iteration queries again when it ends
  arm(loop_.now());
}

void SideContext::retire() noexcept {
  if (running_) {
    retired_ = true;
  } else {
    delete this;
  }
}

void SideContext::on_readable(void* self) noexcept {
  static_cast<SideContext*>(self)->iterate(false);
}

void SideContext::iterate(bool repair) noexcept {
  if (running_ || own_ == nullptr) return;
  running_ = true;
  if (!g_main_context_acquire(own_)) {  // another thread iterates it: not expected
    running_ = false;
    arm(loop_.now() + time::to_duration(kMaxWait));
    return;
  }
  // A whole iteration, as g_main_context_iteration(FALSE) would: the previous query may be stale
  // (GLib's check refuses to dispatch anything when the descriptors changed after the query).
  query();
  // Readiness by poll(2), whatever the epoll set knows (header: descriptor reuse).
  g_poll(fds_.data(), static_cast<guint>(count_), 0);
  // Woken by the timer, a descriptor found ready may be one epoll lost; by a socket, epoll works.
  for (gint i = 0; repair && i < count_; ++i) {
    const GPollFD& fd = fds_[static_cast<std::size_t>(i)];
    if ((fd.revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)) != 0 && (fd.events & G_IO_IN) != 0) {
      watch(fd.fd);
    }
  }
  if (g_main_context_check(own_, max_priority_, fds_.data(), count_)) {
    g_main_context_dispatch(own_);
  }
  ++iterations_;
  if (retired_) {
    g_main_context_release(own_);
    delete this;
    return;
  }
  // What to wait for next.
  const gint timeout = query();
  sync_watches();
  bool writing = false;
  for (gint i = 0; i < count_; ++i) {
    writing = writing || (fds_[static_cast<std::size_t>(i)].events & G_IO_OUT) != 0;
  }
  auto wait = std::chrono::milliseconds(timeout < 0 ? kMaxWait.count() : timeout);
  wait = std::min(wait, writing ? kWriteRetry : kMaxWait);
  g_main_context_release(own_);
  running_ = false;
  arm(loop_.now() + time::to_duration(wait));
}

gint SideContext::query() noexcept {
  const bool due = g_main_context_prepare(own_, &max_priority_);
  gint timeout = -1;
  for (;;) {
    count_ = g_main_context_query(own_, max_priority_, &timeout, fds_.data(),
                                  static_cast<gint>(fds_.size()));
    if (static_cast<std::size_t>(count_) <= fds_.size()) break;
    fds_.resize(static_cast<std::size_t>(count_));
  }
  return due ? 0 : timeout;
}

void SideContext::sync_watches() noexcept {
  auto wanted = [this](int fd) {
    for (gint i = 0; i < count_; ++i) {
      const GPollFD& poll = fds_[static_cast<std::size_t>(i)];
      if (poll.fd == fd && (poll.events & G_IO_IN) != 0) return true;
    }
    return false;
  };
  std::erase_if(watches_, [&](const Watch& watch) { return !wanted(watch.fd); });
  for (gint i = 0; i < count_; ++i) {
    const GPollFD& poll = fds_[static_cast<std::size_t>(i)];
    const bool watched = std::any_of(watches_.begin(), watches_.end(),
                                     [&](const Watch& watch) { return watch.fd == poll.fd; });
    if ((poll.events & G_IO_IN) != 0 && !watched) watch(poll.fd);
  }
}

void SideContext::watch(int fd) noexcept {
  // Removed first, so that a number closed and reused since is registered for its new file.
  std::erase_if(watches_, [fd](const Watch& watch) { return watch.fd == fd; });
  ReadableWatch watch = ReadableWatch::watch(loop_.context(), fd, &on_readable, this);
  if (watch.active()) watches_.push_back(Watch{fd, std::move(watch)});
}

void SideContext::arm(time::Timestamp deadline) noexcept {
  if (timer_.pending() && armed_for_ <= deadline) return;
  armed_for_ = deadline;
  timer_ = loop_.add_timer(deadline, [this] { iterate(true); });
}

}  // namespace rrtc::io
