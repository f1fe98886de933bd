#include "io/glib_loop.hpp"

#include <glib.h>
#include <pthread.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "io/send_ring.hpp"
#include "io/timer_queue.hpp"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RRTC_IO_TSAN 1
#endif
#endif

namespace rrtc::io {
namespace {

// A closure posted from another thread reaches the loop thread through the GMainContext's lock,
// which GLib takes with a futex ThreadSanitizer cannot see (GLib is not instrumented): tell it
// that the poster's writes happen before the loop thread runs or frees the closure.
#ifdef RRTC_IO_TSAN
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
void handed_over(void* closure) noexcept { __tsan_release(closure); }
void taken_over(void* closure) noexcept { __tsan_acquire(closure); }
#else
void handed_over(void*) noexcept {}
void taken_over(void*) noexcept {}
#endif

// GLib sources carry a C function pointer and a void*; the closure lives on the heap and the
// source's destroy notify frees it, whether the source ran or was destroyed unrun.
gboolean run_once(gpointer data) noexcept {
  taken_over(data);
  auto* fn = static_cast<std::function<void()>*>(data);
  (*fn)();
  return G_SOURCE_REMOVE;
}

void free_closure(gpointer data) noexcept {
  taken_over(data);
  delete static_cast<std::function<void()>*>(data);
}

GSource* attach(GSource* source, std::function<void()> fn, GMainContext* context) {
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  auto* closure = new std::function<void()>(std::move(fn));
  g_source_set_callback(source, &run_once, closure, &free_closure);
  handed_over(closure);
  g_source_attach(source, context);
  return source;
}

gboolean set_flag(gpointer data) noexcept {
  *static_cast<bool*>(data) = true;
  return G_SOURCE_REMOVE;
}

// A source with only a ready time (microseconds on g_get_monotonic_time's clock), run_until's
// bound: GLib wakes the context when that time comes, polling with a timeout it rounds up to the
// millisecond, so the source never dispatches early.
gboolean dispatch_deadline(GSource* /*source*/, GSourceFunc callback, gpointer data) noexcept {
  return callback != nullptr ? callback(data) : G_SOURCE_REMOVE;
}

GSourceFuncs deadline_funcs = {nullptr, nullptr, &dispatch_deadline, nullptr, nullptr, nullptr};

}  // namespace

// The one source behind every timer of the loop (header): ready when the queue's earliest
// deadline has come, else it asks the poll to wait until then, rounded up to the millisecond.
struct GlibLoop::TimerSource {
  GSource base;
  GlibLoop* loop;

  static gboolean prepare(GSource* source, gint* timeout) noexcept {
    const auto next = reinterpret_cast<TimerSource*>(source)->loop->timers_->next();
    if (!next) return FALSE;  // the timeout stays -1: no limit from us
    const std::int64_t left = (*next - io::now()).count();
    if (left <= 0) {
      *timeout = 0;
      return TRUE;
    }
    const std::int64_t ms = (left + 999) / 1000;
    *timeout = static_cast<gint>(std::min<std::int64_t>(ms, G_MAXINT));
    return FALSE;
  }

  static gboolean check(GSource* source) noexcept {
    const auto next = reinterpret_cast<TimerSource*>(source)->loop->timers_->next();
    return next && *next <= io::now();
  }

  static gboolean dispatch(GSource* source, GSourceFunc /*callback*/, gpointer /*data*/) noexcept {
    reinterpret_cast<TimerSource*>(source)->loop->run_timers();
    return G_SOURCE_CONTINUE;
  }

  static GSourceFuncs funcs;
};

GSourceFuncs GlibLoop::TimerSource::funcs = {&prepare, &check,  &dispatch,
                                             nullptr,  nullptr, nullptr};

time::Timestamp now() noexcept {
  return std::chrono::time_point_cast<time::Duration>(time::Clock::now());
}

GlibLoop::GlibLoop() : context_(g_main_context_new()), timers_(std::make_shared<TimerQueue>()) {
  timer_source_ = g_source_new(&TimerSource::funcs, sizeof(TimerSource));
  reinterpret_cast<TimerSource*>(timer_source_)->loop = this;
  g_source_set_priority(timer_source_, G_PRIORITY_DEFAULT);
  g_source_attach(timer_source_, context_);
}

GlibLoop::~GlibLoop() {
  stop();
  g_source_destroy(timer_source_);
  g_source_unref(timer_source_);
  timers_.reset();  // pending timers are dropped unrun; their handles no longer find them
  g_main_context_unref(context_);
}

void GlibLoop::start(const std::string& name) {
  if (thread_.joinable()) {
    return;
  }
  thread_ = std::thread([this, name] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    // libnice and GIO attach their own sources to the thread-default context; owning the
    // context lets libnice call its receive callbacks directly (g_main_context_is_owner).
    g_main_context_push_thread_default(context_);
    g_main_context_acquire(context_);
    while (!quit_) iterate(true);
    g_main_context_release(context_);
    g_main_context_pop_thread_default(context_);
  });
}

void GlibLoop::stop() {
  if (!thread_.joinable()) {
    return;
  }
  // Quitting through a posted closure: a flag set before the thread started looping would be
  // racy, a closure waits in the context until the loop runs it.
  post([this] { quit_ = true; });
  thread_.join();
}

void GlibLoop::post(std::function<void()> fn) {
  GSource* source = attach(g_idle_source_new(), std::move(fn), context_);
  g_source_unref(source);
}

TimerHandle GlibLoop::arm_timer(time::Timestamp deadline, std::function<void()> fn) {
  // On the loop thread (or before it starts): the next prepare sees the new deadline, so no
  // wake-up is needed.
  return timers_->arm(deadline, std::move(fn));
}

void GlibLoop::run_timers() {
  // Held: a callback may not free the loop, but keep the queue alive regardless.
  const std::shared_ptr<TimerQueue> queue = timers_;
  const time::Timestamp due = now();
  const std::uint64_t before = queue->next_sequence();
  while (auto fn = queue->pop_due(due, before)) (*fn)();
}

bool GlibLoop::run_until(const std::function<bool()>& done, time::Duration timeout) {
  bool expired = false;
  GSource* deadline = g_source_new(&deadline_funcs, sizeof(GSource));
  g_source_set_ready_time(deadline, g_get_monotonic_time() + timeout.count());
  g_source_set_callback(deadline, &set_flag, &expired, nullptr);
  g_source_attach(deadline, context_);
  g_main_context_push_thread_default(context_);
  g_main_context_acquire(context_);
  bool result = done();
  while (!result && !expired) {
    iterate(true);
    result = done();
  }
  g_main_context_release(context_);
  g_main_context_pop_thread_default(context_);
  g_source_destroy(deadline);
  g_source_unref(deadline);
  return result;
}

void GlibLoop::iterate(bool may_block) {
  // g_main_context_iteration's steps, so the dispatch can sit inside one Batch (header).
  gint max_priority = G_PRIORITY_DEFAULT;
  g_main_context_prepare(context_, &max_priority);
  gint timeout = -1;
  gint count = 0;
  for (;;) {
    count = g_main_context_query(context_, max_priority, &timeout, fds_.data(),
                                 static_cast<gint>(fds_.size()));
    if (static_cast<std::size_t>(count) <= fds_.size()) break;
    fds_.resize(static_cast<std::size_t>(count));  // once per new high of descriptors
  }
  if (!may_block) timeout = 0;
  GPollFunc poll = g_main_context_get_poll_func(context_);
  poll(fds_.data(), static_cast<guint>(count), timeout);
  if (g_main_context_check(context_, max_priority, fds_.data(), count)) ++wakeups_;
  const SendRing::Batch batch(ring_);
  g_main_context_dispatch(context_);
}

bool GlibLoop::on_loop_thread() const noexcept {
  return thread_.joinable() && std::this_thread::get_id() == thread_.get_id();
}

}  // namespace rrtc::io
