#pragma once
// What every media object of one worker shares: the worker's loop, ICE settings, the process
// certificate, the signaling channel and the worker's counters. Owned by the worker, which
// outlives its rooms; everything here is used on the worker's thread only.

#include <functional>
#include <memory>

#include "dtls/certificate.hpp"
#include "io/glib_loop.hpp"
#include "ice/ice_options.hpp"
#include "io/send_ring.hpp"
#include "engine/engine_options.hpp"
#include "room/media_backend.hpp"
#include "engine/media_counters.hpp"

namespace rrtc::engine {

struct MediaContext {
  io::GlibLoop& loop;
  const ice::IceConfig& ice;
  std::shared_ptr<const dtls::Certificate> certificate;
  const MediaLimits& limits;
  WorkerCounters& counters;
  // Set by MediaEngine::attach() (posted to the worker) before any participant exists.
  std::shared_ptr<room::SignalingChannel> channel;
  // The worker's io_uring for batched sends (nullable: io_uring unavailable); set on the
  // worker's thread before any participant exists.
  io::SendRing* send_ring = nullptr;
  // Asks the worker to free closed participants and empty rooms later in this loop iteration
  // (never inside the callback that closed them).
  std::function<void()> request_sweep;
};

}  // namespace rrtc::engine
