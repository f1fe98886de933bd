#pragma once
// A GMainContext of its own for one libnice agent, iterated only when the agent has something to
// do. GLib walks every source of a context on every wake-up (prepare, check, a reference taken
// and dropped) and poll(2)s every descriptor, so with every agent on the worker's context each
// wake-up of a worker of a big room visited every agent: its socket (which after io::MediaSocket
// carries only STUN, DTLS and TURN) and its check, consent and keep-alive timers (issue 18's
// profile: about 17 % of the server at 50 subscribers, growing with the room). One second context
// shared by all agents was not enough: the agents' consent checks (each every few seconds, each
// way) made it due on most wake-ups of a 400-subscriber room, and each iteration walked them all.
//
// Here an agent's context is iterated (prepare, query, poll(2) without waiting, check, dispatch,
// then prepare and query again for what to wait for next) when
//  - one of its descriptors is readable: each is in the worker's one epoll set of sockets
//    (io::ReadableWatch);
//  - its earliest timeout is due: one of the worker loop's timers (io::TimerQueue) waits for it;
//  - poke() was called: its owner called libnice outside the context's dispatch, which may have
//    armed a timer or attached a source (GLib does not signal that on the owner's own thread).
// An iteration costs the agent's own few sources, whatever the size of the room. It runs inside
// the worker's wake-up, so inside its send batch.
//
// Descriptor reuse: libnice closes its sockets itself, so a number may be closed and reused
// before the next query removes its watch, and epoll forgets a closed file. An iteration
// therefore takes readiness from poll(2) over the agent's descriptors, not from epoll, and when
// its timer (not a socket) woke it, watches again every descriptor poll finds ready. A wake-up
// missed in between is made up at the latest kMaxWait later: an agent's context is never left
// longer than that. A descriptor waited on for writing (a TCP or TLS TURN connection with a write
// pending) is polled every kWriteRetry instead, as the epoll set only watches readability.
//
// Lifetime: retire() when the agent has been freed; the context then frees itself when its
// iteration ends (an agent is freed from inside its own context's dispatch).
//
// RRTC_LIBNICE_OWN_CONTEXT=0 turns it off: context() is then the worker's own context and poke()
// does nothing (for comparison runs, and as a way out).
//
// Threading: the worker's thread (the one that iterates the loop).

#include <glib.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "io/event_loop.hpp"
#include "io/readable_set.hpp"
#include "time/media_time.hpp"

namespace rrtc::io {

class GlibLoop;

class SideContext {
 public:
  static constexpr std::chrono::milliseconds kMaxWait{1000};
  static constexpr std::chrono::milliseconds kWriteRetry{10};

  explicit SideContext(GlibLoop& loop);
  ~SideContext();
  SideContext(const SideContext&) = delete;
  SideContext& operator=(const SideContext&) = delete;

  // Where the agent and its receive source go.
  GMainContext* context() const noexcept { return own_ != nullptr ? own_ : shared_; }
  bool enabled() const noexcept { return own_ != nullptr; }
  // Iterate on the worker's next wake-up (several pokes make one iteration).
  void poke() noexcept;
  // The agent is freed: free this when the current iteration ends, or now if none runs.
  void retire() noexcept;

  // Iterations run (tests, diagnostics).
  std::uint64_t iterations() const noexcept { return iterations_; }
  // Descriptors watched in the worker's epoll set (tests).
  std::size_t watched() const noexcept { return watches_.size(); }

 private:
  struct Watch {
    int fd;
    ReadableWatch watch;
  };

  static void on_readable(void* self) noexcept;
  // `repair`: watch again the descriptors poll(2) finds ready (header: descriptor reuse).
  void iterate(bool repair) noexcept;
  // Prepares and queries the context into fds_ and count_; answers its timeout in ms (0: a
  // source is ready now, -1: none armed).
  gint query() noexcept;
  // Watches the readable descriptors of the last query: only what changed.
  void sync_watches() noexcept;
  void watch(int fd) noexcept;
  void arm(time::Timestamp deadline) noexcept;

  GlibLoop& loop_;
  GMainContext* shared_ = nullptr;  // the worker's
  GMainContext* own_ = nullptr;     // nullptr when turned off
  std::vector<GPollFD> fds_;        // the last query's descriptors (its first count_)
  gint count_ = 0;
  gint max_priority_ = G_PRIORITY_DEFAULT;
  std::vector<Watch> watches_;  // by fd
  TimerHandle timer_;
  time::Timestamp armed_for_{};
  bool running_ = false;
  bool retired_ = false;
  std::uint64_t iterations_ = 0;
};

}  // namespace rrtc::io
