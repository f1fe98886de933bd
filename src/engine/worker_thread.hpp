#pragma once
// One production media worker: a GLib loop on its own thread, the worker's io_uring send ring,
// the libnice PeerFactory over both, and the Worker with the rooms assigned to it.
//
// Threading: the constructor, start(), post(), counters() and the shutdown calls run on the
// engine owner's thread; everything the Worker does runs on the worker's thread (post()).

#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>

#include "engine/engine_options.hpp"
#include "engine/media_counters.hpp"
#include "engine/worker.hpp"
#include "io/glib_loop.hpp"
#include "io/send_ring.hpp"
#include "room/media_backend.hpp"
#include "transport/ice_settings.hpp"
#include "transport/nice_peer_factory.hpp"

namespace rrtc::engine {

class WorkerThread {
 public:
  WorkerThread(std::size_t index, const transport::IceConfig& ice, const MediaLimits& limits);
  ~WorkerThread();  // shutdown if the caller did not
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  void start();
  // Thread-safe; `fn` runs on the worker's thread, later, in post order.
  void post(std::function<void()> fn) { loop_.post(std::move(fn)); }
  // Thread-safe: the request is handled on the worker's thread.
  void submit(room::MediaRequest request);
  void set_channel(std::shared_ptr<room::SignalingChannel> channel);
  // Read from any thread (single-writer counters).
  const WorkerCounters& counters() const noexcept { return worker_->counters(); }

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
  io::GlibLoop loop_;  // first member: destroyed last, after everything that uses it
  // Created on the worker's thread (its only submitter) by the first posted closure; the
  // factory and the Worker exist from construction, so counters() is always valid.
  std::unique_ptr<io::SendRing> send_ring_;
  transport::NicePeerFactory peers_;
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
