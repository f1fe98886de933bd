#pragma once
// What the app configures for the media engine (MediaEngine).

#include <cstddef>
#include <cstdint>

#include "transport/ice_settings.hpp"

namespace rrtc::engine {

// Bounds on what one participant can make a worker hold or send.
struct MediaLimits {
  // Local candidates trickled to one client; later ones are dropped (a host with many
  // interfaces would otherwise flood the signaling socket).
  std::size_t max_local_candidates = 32;
  // Remote candidates kept while a participant has no Peer yet (candidate before offer).
  std::size_t max_pending_candidates = 64;
  // REMB sent to publishers: the lowest estimate of their subscribers, capped by this (bits per
  // second; 0: no cap).
  std::uint64_t remb_max_bitrate = 3'000'000;
  // SDP answers from one participant (first offer plus renegotiations) are not bounded here:
  // the signaling rate limit bounds them.
};

struct MediaEngineOptions {
  // Media workers (GLib loops, one thread each). 0 means one per hardware thread.
  std::size_t workers = 1;
  // Host interfaces ("127.0.0.1" for loopback tests), port range, public_ip, STUN, TURN. The
  // engine resolves them once at construction; `controlling` is forced false (the server is the
  // controlled agent).
  transport::IceOptions ice;
  MediaLimits limits;
};

}  // namespace rrtc::engine
