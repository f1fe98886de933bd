#pragma once
// What every media object of one worker shares: the worker's loop (time and timers), the factory
// its Peers come from, the limits, the signaling channel and the worker's counters. Owned by the
// Worker, which outlives its rooms; everything here is used on the worker's thread only.

#include <functional>
#include <memory>

#include "engine/egress_offload.hpp"
#include "engine/engine_options.hpp"
#include "engine/log_limit.hpp"
#include "engine/media_counters.hpp"
#include "io/event_loop.hpp"
#include "io/send_ring.hpp"
#include "room/media_backend.hpp"
#include "transport/peer_factory.hpp"

namespace rrtc::engine {

struct MediaContext {
  io::EventLoop& loop;
  transport::PeerFactory& peers;
  const MediaLimits& limits;
  WorkerCounters& counters;
  // Set by Worker::set_channel() before any participant exists.
  std::shared_ptr<room::SignalingChannel> channel;
  // The worker's io_uring for batched sends (nullable: io_uring unavailable, or a simulated
  // network); each forwarded packet's copies leave in one batch.
  io::SendRing* send_ring = nullptr;
  // Asks the worker to free closed participants and empty rooms later in this loop iteration
  // (never inside the callback that closed them).
  std::function<void()> request_sweep;
  // One log line per 10 s per kind of event a client can repeat (issue 15): the counters in
  // /metrics count every one.
  struct LogLimits {
    LogLimit offer_rejected;
    LogLimit connect_timeout;
    LogLimit data_policed;
  };
  LogLimits log_limits{};
  // The worker's end of the egress offload (nullable: one worker, or tests without threads):
  // subscribers of spread rooms get seats on other workers from it.
  EgressPort* egress = nullptr;
};

}  // namespace rrtc::engine
