#pragma once
// One production media worker: a GLib loop on its own thread, the worker's io_uring send ring,
// the libnice PeerFactory over both, and the Worker with the rooms assigned to it.
//
// Threading: the constructor, start(), post(), counters() and the shutdown calls run on the
// engine owner's thread; everything the Worker does runs on the worker's thread (post()).
// submit() and set_channel() run on the signaling thread.
//
// The signaling -> worker queue is bounded (issue 15): at most `max_queued` requests wait for the
// worker (kMaxQueuedRequests by default). Past it a request is refused at once, error 503 to
// that client only (a refused Join also removes the participant, which the worker never saw),
// and counted. Leaves are never refused: each releases what a participant holds, and there is at
// most one per participant. The worker -> signaling direction is bounded by what the worker is
// asked: per handled request at most an answer, an offer and an error, per participant at most
// MediaLimits::max_local_candidates + 1 candidates and one server offer outstanding.

#include <atomic>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>

#include "engine/egress_offload.hpp"
#include "engine/engine_options.hpp"
#include "engine/log_limit.hpp"
#include "engine/media_counters.hpp"
#include "engine/worker.hpp"
#include "io/glib_loop.hpp"
#include "io/send_ring.hpp"
#include "room/media_backend.hpp"
#include "transport/ice_settings.hpp"
#include "transport/nice_peer_factory.hpp"

namespace rrtc::engine {

// Requests waiting for one worker: about a second of a busy worker's work, and far more than
// signaling produces for the participants one worker carries (a join is 3 to 40 requests).
inline constexpr std::size_t kMaxQueuedRequests = 4096;

class WorkerThread {
 public:
  // `io_uring` false: the worker never creates a send ring (plain sendmsg). `egress` (nullable,
  // outlives the WorkerThread): the rings to and from the other workers, for spread rooms.
  WorkerThread(std::size_t index, const transport::IceConfig& ice, const MediaLimits& limits,
               bool io_uring = true, std::size_t max_queued = kMaxQueuedRequests,
               EgressOffload* egress = nullptr);
  ~WorkerThread();  // shutdown if the caller did not
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  void start();
  // Thread-safe; `fn` runs on the worker's thread, later, in post order.
  void post(std::function<void()> fn) { loop_.post(std::move(fn)); }
  // Signaling thread: the request is handled on the worker's thread, or refused (503) when
  // max_queued requests already wait. Returns whether it was queued.
  bool submit(room::MediaRequest request);
  // Any thread: `done` gets the counters of `room`'s participants on the worker's thread
  // (empty for an unknown room, or once shutdown began). Bounded like submit(): with max_queued
  // requests waiting, `done` gets an empty list at once, on the caller's thread. `done` is
  // called exactly once: a query the loop drops unrun (it stopped) answers empty as it is
  // destroyed.
  void query_room(std::string room, room::MediaBackend::StatsCallback done);
  // Requests posted and not yet handled (any thread).
  std::size_t queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
  bool has_send_ring() const noexcept { return has_send_ring_.load(); }
  void set_channel(std::shared_ptr<room::SignalingChannel> channel);
  // Read from any thread (single-writer counters).
  const WorkerCounters& counters() const noexcept { return worker_->counters(); }
  // Nullptr without an egress offload (read from any thread: single-writer counters).
  const EgressCounters* egress_counters() const noexcept {
    return egress_ != nullptr ? &egress_->counters() : nullptr;
  }

  // Any thread but the worker's: closes every PeerConnection on the worker, frees them, and
  // returns a future ready once every libnice agent of the process is released (so callers
  // wait for all workers' futures before stopping any loop). Idempotent.
  std::shared_future<void> begin_shutdown();
  // Stops the loop and joins the thread; call after begin_shutdown()'s future (or a deadline).
  void stop_loop() { loop_.stop(); }

 private:
  void collect_counters();
  void wait_for_agents();

  std::size_t index_;
  const transport::IceConfig& ice_;
  const bool io_uring_;
  const std::size_t max_queued_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> has_send_ring_{false};
  std::shared_ptr<room::SignalingChannel> channel_;  // signaling thread: for refusals
  LogLimit refusal_log_;                             // signaling thread
  io::GlibLoop loop_;  // first member: destroyed last, after everything that uses it
  // Created on the worker's thread (its only submitter) by the first posted closure; the
  // factory and the Worker exist from construction, so counters() is always valid.
  std::unique_ptr<io::SendRing> send_ring_;
  transport::NicePeerFactory peers_;
  // Before worker_: the participants' seats retire their lanes through it as they go.
  std::unique_ptr<EgressPort> egress_;
  std::unique_ptr<Worker> worker_;
  io::TimerHandle collect_timer_;
  io::TimerHandle agents_timer_;
  bool shutting_down_ = false;  // worker's thread
  std::promise<void> stopped_;
  std::shared_future<void> stopped_future_;
  // Written by the thread calling start() / begin_shutdown() (the engine's owner).
  bool started_ = false;
  bool shutdown_begun_ = false;
};

}  // namespace rrtc::engine
