#pragma once
// The process-wide usrsctp instance the Associations share (internal to src/sctp).
//
// usrsctp is one global stack. We initialise it once with usrsctp_init_nothreads, so it runs no
// timer thread (see Lock for the one thread it still starts), and serialise every call into it
// with one process-wide mutex (Stack::Lock).
// Its callbacks (packet output, data and notification delivery) therefore only ever run inside
// one of our own usrsctp calls, on the thread that made it, with the mutex held. They do no
// work: they look the association up by its id in a registry and append to its Mailbox. The
// owning Association empties its Mailbox on its own thread, after releasing the mutex, and only
// then calls its listener. usrsctp never sees a pointer to an Association: the AF_CONN address
// and the socket's ulp_info are a 64-bit id that is never reused, and an id no longer in the
// registry (the Association was destroyed while usrsctp still had a timer or an ABORT for it)
// makes the callback drop what it was given.
//
// usrsctp's timers are global too (one timer wheel for all associations): advance(now), called
// by every Association's handle_timeout() with the worker's clock, runs usrsctp_handle_timers for
// the milliseconds elapsed since the last call from any thread. A timer that fires for an
// association owned by another worker (a retransmission) lands in that association's Mailbox and
// leaves on that worker's next handle_timeout(), at most one tick (kBusyTick or kQuietTick,
// association.hpp) later.

#include <usrsctp.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::sctp::detail {

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }  // NOLINT(*-no-malloc): usrsctp's
};

// One delivery from usrsctp's receive callback: user data (possibly a fragment of a message:
// `end_of_record` false) or a notification (union sctp_notification bytes).
struct Delivery {
  std::unique_ptr<std::uint8_t, FreeDeleter> data;  // malloc'ed by usrsctp, ours to free
  std::size_t length = 0;
  std::uint16_t stream = 0;
  std::uint32_t ppid = 0;  // host order
  bool notification = false;
  bool end_of_record = false;
  bool unordered = false;
};

// What usrsctp handed an association; guarded by Stack::Lock.
struct Mailbox {
  std::vector<std::vector<std::uint8_t>> packets;  // outgoing SCTP packets
  std::vector<Delivery> deliveries;
  bool end_of_file = false;  // usrsctp said the socket can no longer receive
  // Bounds what a burst of input or a flood of timers can queue before the owner drains it.
  std::size_t queued_bytes = 0;
  std::uint64_t dropped = 0;
};

class Stack {
 public:
  static Stack& instance();

  // Every call into usrsctp is made holding a Lock. It also marks this thread as inside the
  // stack, so a callback can tell it runs inside one of our calls (and may touch the registry)
  // from one on a thread of usrsctp's own (see on_foreign_thread()).
  class Lock {
   public:
    Lock() : guard_(instance().mutex_) { held_ = true; }
    ~Lock() { held_ = false; }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    std::lock_guard<std::mutex> guard_;
  };
  static bool held_by_this_thread() noexcept { return held_; }
  // usrsctp 0.9.5 still starts its "SCTP iterator" thread in usrsctp_init_nothreads. It runs only
  // address-management jobs (ASCONF), which we switch off, so it should never call us; if it
  // does, the callback drops what it got, touches nothing, and counts it here.
  static void on_foreign_thread() noexcept { foreign_callbacks_.fetch_add(1); }
  static std::uint64_t foreign_callbacks() noexcept { return foreign_callbacks_.load(); }
  // Packets any association refused before usrsctp (well_formed_packet(), size), for the
  // process-wide StackCounters beside usrsctp's own drops.
  static void on_refused_packet() noexcept { refused_packets_.fetch_add(1); }
  static std::uint64_t refused_packets() noexcept { return refused_packets_.load(); }
  // Whether instance() has run (usrsctp initialised): reading counters must not start the stack
  // (and its thread) in a process that never used SCTP.
  static bool started() noexcept { return started_.load(); }

  // Registry; call holding a Lock. ids start at 1 and are never reused.
  std::uintptr_t add(Mailbox& mailbox);
  void remove(std::uintptr_t id);
  Mailbox* find(std::uintptr_t id) const;

  // Runs usrsctp's timers for the time elapsed since the last call; call holding a Lock.
  // A clock more than a second behind the last one seen (another clock domain: tests with
  // simulated time) restarts the count instead of running timers.
  void advance(time::Timestamp now);

  std::size_t live_associations() const;  // holding a Lock

  // usrsctp's receive callback for every socket we create (ulp_info = the id).
  static int on_receive(struct socket* socket, union sctp_sockstore address, void* data,
                        std::size_t length, struct sctp_rcvinfo info, int flags,
                        void* ulp_info) noexcept;

  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

 private:
  Stack();
  ~Stack() = default;

  static thread_local bool held_;
  static inline std::atomic<std::uint64_t> foreign_callbacks_{0};
  static inline std::atomic<std::uint64_t> refused_packets_{0};
  static inline std::atomic<bool> started_{false};
  std::mutex mutex_;
  std::unordered_map<std::uintptr_t, Mailbox*> mailboxes_;
  std::uintptr_t next_id_ = 1;
  bool have_time_ = false;
  time::Timestamp last_time_{};
};

// Bytes one Mailbox may hold before further output or deliveries are dropped (and counted).
inline constexpr std::size_t kMailboxLimit = std::size_t{16} * 1024 * 1024;

}  // namespace rrtc::sctp::detail
