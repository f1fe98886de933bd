#pragma once
// The media engine: the MediaBackend that gives every participant a WebRTC PeerConnection with
// the server. Owns N media workers (WorkerThread); a room lives on one worker, chosen by a stable
// hash of its name, and all its media objects live only there (no lock on the media path).
//
// Threading: attach() and submit() run on the signaling thread; submit() posts the request, as a
// value, to the room's worker and returns. append_metrics() may be called from any thread.
// Construct, stop() and destroy on the app's main thread (not on a worker).

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine_options.hpp"
#include "room/media_backend.hpp"
#include "transport/ice_settings.hpp"

namespace rrtc::engine {

class WorkerThread;
class EgressOffload;

class MediaEngine final : public room::MediaBackend {
 public:
  // Resolves the ICE options (blocking lookups: start-up only) and starts the workers. Throws
  // std::invalid_argument naming a bad ICE setting.
  explicit MediaEngine(const MediaEngineOptions& options);
  ~MediaEngine() override;  // stop()
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  void attach(std::shared_ptr<room::SignalingChannel> channel) override;
  void submit(room::MediaRequest request) override;
  // Posted to the room's worker; see WorkerThread::query_room (an empty list when the worker's
  // queue is full or the engine stopped).
  void query_room(std::string room, StatsCallback done) override;

  // Closes every PeerConnection, waits (up to ~5 s) until libnice has released its agents, then
  // joins the workers. Idempotent. Later requests are dropped.
  void stop();

  // Appends the Prometheus text of the media counters summed over the workers (any thread).
  void append_metrics(std::string& out) const;
  // The egress offload's per-worker counters (rrtc_egress_*), part of append_metrics().
  void append_egress_metrics(std::string& out) const;

  std::size_t worker_count() const noexcept { return workers_.size(); }
  // The worker a room lives on: stable for the life of the process.
  std::size_t worker_index(const std::string& room) const noexcept;

 private:
  transport::IceConfig ice_;
  MediaLimits limits_;
  // With more than one worker: the rings that spread a big room's sends over all of them
  // (egress_offload.hpp). Declared before workers_: it outlives every worker thread.
  std::unique_ptr<EgressOffload> egress_;
  std::vector<std::unique_ptr<WorkerThread>> workers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace rrtc::engine
