#pragma once
// One media worker: a GLib loop on its own thread and the MediaRooms assigned to it. Every
// method except the constructor, start(), post(), counters() and shutdown() runs on the worker's
// thread (the engine posts closures that call them).

#include <cstddef>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>

#include "dtls/certificate.hpp"
#include "io/glib_loop.hpp"
#include "ice/ice_options.hpp"
#include "engine/engine_options.hpp"
#include "engine/media_context.hpp"
#include "engine/media_counters.hpp"
#include "engine/media_room.hpp"

namespace rrtc::engine {

class MediaWorker {
 public:
  MediaWorker(std::size_t index, const ice::IceConfig& ice,
              std::shared_ptr<const dtls::Certificate> certificate, const MediaLimits& limits);
  ~MediaWorker();  // shutdown() if the caller did not
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  void start();
  // Thread-safe; `fn` runs on the worker's thread, later, in post order.
  void post(std::function<void()> fn) { loop_.post(std::move(fn)); }
  // Read from any thread (single-writer counters).
  const WorkerCounters& counters() const noexcept { return counters_; }

  // Worker thread: the signaling channel (before any room exists), and the MediaBackend calls.
  void set_channel(std::shared_ptr<room::SignalingChannel> channel);
  void join(const std::string& room, const std::string& participant,
            const room::ParticipantState& state);
  void leave(const std::string& room, const std::string& participant);
  void offer(const std::string& room, const std::string& participant, const std::string& sdp,
             const std::vector<room::TrackInfo>& tracks);
  void answer(const std::string& room, const std::string& participant, const std::string& sdp);
  void candidate(const std::string& room, const std::string& participant,
                 const room::IceCandidate& candidate);
  void state(const std::string& room, const std::string& participant,
             const room::ParticipantState& state);

  // Any thread but the worker's: closes every PeerConnection on the worker, frees them, and
  // returns a future ready once every libnice agent of the process is released (so callers
  // wait for all workers' futures before stopping any loop). Idempotent.
  std::shared_future<void> begin_shutdown();
  // Stops the loop and joins the thread; call after begin_shutdown()'s future (or a deadline).
  void stop_loop() { loop_.stop(); }

 private:
  void request_sweep();
  void sweep();
  void collect_counters();
  void wait_for_agents();

  std::size_t index_;
  io::GlibLoop loop_;  // first member: destroyed last, after every room
  // After the loop, before the context and rooms: outlives every transport that points at it.
  std::unique_ptr<io::SendRing> send_ring_;
  WorkerCounters counters_;
  MediaContext context_;
  std::unordered_map<std::string, std::unique_ptr<MediaRoom>> rooms_;
  bool sweep_posted_ = false;
  bool shutting_down_ = false;
  io::TimerHandle collect_timer_;
  io::TimerHandle agents_timer_;
  std::promise<void> stopped_;
  std::shared_future<void> stopped_future_;
  // Written by the thread calling start() / begin_shutdown() (the engine's owner).
  bool started_ = false;
  bool shutdown_begun_ = false;
};

}  // namespace rrtc::engine
