#pragma once
// A media worker's event loop: one GMainContext, on which libnice agents, DTLS/SRTP work and
// timers of the worker's rooms run. Either start() a thread that runs a GMainLoop on it, or
// (tests) drive it from the calling thread with run_until().
//
// Threading: post() may be called from any thread. Everything else, and every closure and timer
// callback, belongs to the loop's thread (the thread started by start(), or the thread calling
// run_until()).

#include <glib.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace rrtc::io {

// A one-shot timer. Destroying or cancelling the handle before it fires guarantees the callback
// never runs. Handles are used on the loop's thread.
class TimerHandle {
 public:
  TimerHandle() = default;
  explicit TimerHandle(GSource* source) noexcept : source_(source) {}
  TimerHandle(TimerHandle&& other) noexcept : source_(other.source_) { other.source_ = nullptr; }
  TimerHandle& operator=(TimerHandle&& other) noexcept;
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  ~TimerHandle() { cancel(); }

  void cancel() noexcept;
  // True until the timer fired or was cancelled.
  bool pending() const noexcept;

 private:
  GSource* source_ = nullptr;  // one reference owned by the handle
};

class GlibLoop {
 public:
  using Clock = std::chrono::steady_clock;

  GlibLoop();
  ~GlibLoop();  // stop(), then frees the context; pending posted closures are dropped
  GlibLoop(const GlibLoop&) = delete;
  GlibLoop& operator=(const GlibLoop&) = delete;

  GMainContext* context() const noexcept { return context_; }

  // Runs a GMainLoop on a new thread (named `name` for debuggers) until stop().
  void start(const std::string& name);
  // Quits the loop and joins its thread. Idempotent; never call it from the loop thread.
  void stop();

  // Runs `fn` on the loop's thread, later (never inline, even on the loop thread), in post order.
  // Thread-safe.
  void post(std::function<void()> fn);

  // Calls `fn` once after `delay`, on the loop's thread.
  TimerHandle add_timer(std::chrono::milliseconds delay, std::function<void()> fn);

  // Test driving without a thread: iterates the context on the calling thread until `done()`
  // returns true (checked after each dispatch) or `timeout` passes. Returns done()'s last value.
  // Must not be used while start()'s thread runs.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

  // True on the thread that start() created.
  bool on_loop_thread() const noexcept;

 private:
  GMainContext* context_ = nullptr;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
};

}  // namespace rrtc::io
