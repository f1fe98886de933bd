#pragma once
// The media of one worker: its rooms, and the requests signaling sends them. Loop-agnostic: the
// production WorkerThread runs it on a GLib loop with libnice Peers; the deterministic room tests
// run it on a simulated loop with Peers on a simulated network.
//
// Requests: handle() takes one room::MediaRequest. A Join creates the room if needed and the
// participant; every other request goes to the participant it names, and is dropped when that
// participant is unknown (it left, or failed) or its room is gone.
//
// Threading: the loop's thread only. Closed participants and empty rooms are freed by a sweep
// posted to the loop, never inside the callback that closed them.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine_options.hpp"
#include "engine/media_context.hpp"
#include "engine/media_counters.hpp"
#include "engine/media_room.hpp"
#include "io/event_loop.hpp"
#include "room/media_backend.hpp"
#include "transport/peer_factory.hpp"

namespace rrtc::engine {

class Worker {
 public:
  // `loop` and `peers` outlive the Worker.
  Worker(io::EventLoop& loop, transport::PeerFactory& peers, const MediaLimits& limits);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The signaling channel; set before the first request.
  void set_channel(std::shared_ptr<room::SignalingChannel> channel);
  // The loop's io_uring send ring (nullable); set before the first request.
  void set_send_ring(io::SendRing* ring) noexcept { context_.send_ring = ring; }
  // The worker's egress port (nullable: rooms are never spread); set before the first request.
  void set_egress(EgressPort* port) noexcept { context_.egress = port; }
  void handle(room::MediaRequest request);
  // Closes every PeerConnection and frees them (shutdown); later requests are dropped.
  void close_all();
  // Adds the Peers' counters accumulated since the last call to counters().
  void collect_counters();

  const WorkerCounters& counters() const noexcept { return counters_; }
  // The one counter the submitting (signaling) thread writes: requests its queue refused.
  SingleWriterCounter& refused_requests() noexcept { return counters_.requests_refused; }
  std::size_t room_count() const noexcept { return rooms_.size(); }
  MediaRoom* find(const std::string& room);
  // The counters of `room`'s participants (MediaBackend::query_room); empty for an unknown room.
  std::vector<room::ParticipantStats> room_stats(const std::string& room);

 private:
  void request_sweep();
  void sweep();

  WorkerCounters counters_;
  MediaContext context_;
  std::unordered_map<std::string, std::unique_ptr<MediaRoom>> rooms_;
  bool sweep_posted_ = false;
  bool closed_ = false;
  // Posted closures hold it weakly: a sweep posted before the Worker died does nothing.
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

}  // namespace rrtc::engine
