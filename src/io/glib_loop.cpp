#include "io/glib_loop.hpp"

#include <pthread.h>

#include <utility>

namespace rrtc::io {
namespace {

// GLib sources carry a C function pointer and a void*; the closure lives on the heap and the
// source's destroy notify frees it, whether the source ran or was destroyed unrun.
gboolean run_once(gpointer data) noexcept {
  auto* fn = static_cast<std::function<void()>*>(data);
  (*fn)();
  return G_SOURCE_REMOVE;
}

void free_closure(gpointer data) noexcept { delete static_cast<std::function<void()>*>(data); }

GSource* attach(GSource* source, std::function<void()> fn, GMainContext* context) {
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, &run_once, new std::function<void()>(std::move(fn)), &free_closure);
  g_source_attach(source, context);
  return source;
}

gboolean set_flag(gpointer data) noexcept {
  *static_cast<bool*>(data) = true;
  return G_SOURCE_REMOVE;
}

}  // namespace

TimerHandle& TimerHandle::operator=(TimerHandle&& other) noexcept {
  if (this != &other) {
    cancel();
    source_ = std::exchange(other.source_, nullptr);
  }
  return *this;
}

void TimerHandle::cancel() noexcept {
  if (source_ != nullptr) {
    g_source_destroy(source_);
    g_source_unref(source_);
    source_ = nullptr;
  }
}

bool TimerHandle::pending() const noexcept {
  return source_ != nullptr && !g_source_is_destroyed(source_);
}

GlibLoop::GlibLoop() : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)) {}

GlibLoop::~GlibLoop() {
  stop();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void GlibLoop::start(const std::string& name) {
  if (thread_.joinable()) {
    return;
  }
  thread_ = std::thread([this, name] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    // libnice and GIO attach their own sources to the thread-default context.
    g_main_context_push_thread_default(context_);
    g_main_loop_run(loop_);
    g_main_context_pop_thread_default(context_);
  });
}

void GlibLoop::stop() {
  if (!thread_.joinable()) {
    return;
  }
  // Quitting through a posted closure: g_main_loop_quit before g_main_loop_run started would
  // be lost, a closure waits in the context until the loop runs it.
  post([loop = loop_] { g_main_loop_quit(loop); });
  thread_.join();
}

void GlibLoop::post(std::function<void()> fn) {
  GSource* source = attach(g_idle_source_new(), std::move(fn), context_);
  g_source_unref(source);
}

TimerHandle GlibLoop::add_timer(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto ms = delay.count() < 0 ? 0u : static_cast<guint>(delay.count());
  return TimerHandle(attach(g_timeout_source_new(ms), std::move(fn), context_));
}

bool GlibLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  bool expired = false;
  GSource* deadline = g_timeout_source_new(static_cast<guint>(timeout.count()));
  g_source_set_callback(deadline, &set_flag, &expired, nullptr);
  g_source_attach(deadline, context_);
  g_main_context_push_thread_default(context_);
  bool result = done();
  while (!result && !expired) {
    g_main_context_iteration(context_, TRUE);
    result = done();
  }
  g_main_context_pop_thread_default(context_);
  g_source_destroy(deadline);
  g_source_unref(deadline);
  return result;
}

bool GlibLoop::on_loop_thread() const noexcept {
  return thread_.joinable() && std::this_thread::get_id() == thread_.get_id();
}

}  // namespace rrtc::io
