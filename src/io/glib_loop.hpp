#pragma once
// A media worker's event loop: one GMainContext, on which libnice agents, DTLS/SRTP work and
// timers of the worker's rooms run. Either start() a thread that runs a GMainLoop on it, or
// (tests) drive it from the calling thread with run_until().
//
// Time: now() is the steady clock (io::now()), the one place outside tests where rrtc reads it.
// Timers: every timer armed on the loop waits in one io::TimerQueue behind ONE GLib source, not
// a source each: GLib walks every source of the context on every wake-up (prepare, check, a
// reference taken and dropped), and a worker of a big room arms a few timers per subscriber
// (its estimator, its pacer, its Peer). The source asks GLib to poll with a timeout of the
// earliest deadline rounded up to the millisecond, so a timer never fires before its deadline
// and at most about a millisecond after it (plus scheduling latency). Every timer due when the
// source dispatches runs in that dispatch, in deadline order, inside the wake-up's send batch;
// one armed meanwhile for the past runs on the next iteration.
//
// Threading: post() may be called from any thread. Everything else, and every closure and timer
// callback, belongs to the loop's thread (the thread started by start(), or the thread calling
// run_until()).
//
// One wake-up, one send batch: the loop iterates the context itself (prepare, query, poll, check,
// dispatch, as g_main_context_iteration does) so that it can hold a SendRing::Batch open across
// the dispatch of everything one poll found ready. Every datagram the wake-up's callbacks send
// through the ring (the fan-out of all the packets libnice and the media sockets read, their
// NACK resends, DTLS) then leaves in one io_uring_enter(2) when the dispatch ends, instead of one
// per received packet. The cost: a datagram queued early in a wake-up waits for the rest of its
// dispatch (the hop-latency histogram, stamped when MediaRoom's per-packet Batch closes, leaves
// that wait out); a full ring still flushes at once.

#include <glib.h>  // context() hands out the GMainContext; users attach their own sources

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "io/event_loop.hpp"
#include "time/media_time.hpp"

namespace rrtc::io {

class SendRing;
class TimerQueue;

// The steady clock in media time. Only the worker loop (and the signaling thread) read the clock.
time::Timestamp now() noexcept;

class GlibLoop final : public EventLoop {
 public:
  using Clock = time::Clock;

  GlibLoop();
  ~GlibLoop() override;  // stop(), then frees the context; pending posted closures are dropped
  GlibLoop(const GlibLoop&) = delete;
  GlibLoop& operator=(const GlibLoop&) = delete;

  GMainContext* context() const noexcept { return context_; }

  // Runs a GMainLoop on a new thread (named `name` for debuggers) until stop().
  void start(const std::string& name);
  // Quits the loop and joins its thread. Idempotent; never call it from the loop thread.
  void stop();

  time::Timestamp now() const override { return io::now(); }
  // Thread-safe.
  void post(std::function<void()> fn) override;

  // Test driving without a thread: iterates the context on the calling thread until `done()`
  // returns true (checked after each dispatch) or `timeout` passes. Returns done()'s last value.
  // Must not be used while start()'s thread runs.
  bool run_until(const std::function<bool()>& done, time::Duration timeout);

  // True on the thread that start() created.
  bool on_loop_thread() const noexcept;

  // The worker's io_uring (nullable), held in a Batch across each wake-up's dispatch. On the
  // loop's thread; the ring must outlive the loop's use of it (set nullptr before freeing it).
  void set_send_ring(SendRing* ring) noexcept { ring_ = ring; }
  // Wake-ups that dispatched something (loop thread; for tests and diagnostics).
  std::uint64_t wakeups() const noexcept { return wakeups_; }

 protected:
  TimerHandle arm_timer(time::Timestamp deadline, std::function<void()> fn) override;

 private:
  // One iteration of the context, its dispatch inside a SendRing::Batch. `may_block`: poll
  // with the context's timeout (else 0).
  void iterate(bool may_block);
  // The timer source's dispatch: runs every timer due now that was armed before it began.
  void run_timers();

  struct TimerSource;

  GMainContext* context_ = nullptr;
  // Loop thread. Shared with the timers' handles, which hold it weakly (they may outlive the
  // loop).
  std::shared_ptr<TimerQueue> timers_;
  GSource* timer_source_ = nullptr;  // the one source behind every timer
  std::thread thread_;
  bool quit_ = false;          // loop thread: set by the closure stop() posts
  SendRing* ring_ = nullptr;   // loop thread
  std::uint64_t wakeups_ = 0;  // loop thread
  std::vector<GPollFD> fds_;   // loop thread: grows to the most descriptors one poll needed
};

}  // namespace rrtc::io
