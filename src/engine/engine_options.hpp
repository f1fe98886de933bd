#pragma once
// What the app configures for the media engine (MediaEngine).

#include <chrono>
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
  // From a participant's first offer to its PeerConnection connected (ICE + DTLS); past it the
  // participant's Peer, ports and state are released (rejected offers included).
  std::chrono::seconds connect_timeout{30};
  // Ingress policing per published track (token buckets, one second of burst): packets and bits
  // per second. The excess is dropped before routing and counted.
  std::uint64_t max_track_packets_per_second = 5000;
  std::uint64_t max_track_bitrate = 50'000'000;
  // The data-channel relay per participant: messages and bytes per second.
  std::uint64_t max_data_messages_per_second = 200;
  std::uint64_t max_data_bytes_per_second = 2'000'000;
  // Retransmitted bytes to one subscriber, in percent of the media bytes it is sent.
  std::uint32_t retransmit_budget_percent = 50;
  // What leaves for a subscriber whose transport-cc estimate limits its tracks is paced at this
  // percent of the estimate (bwe/pacer.hpp); 0: nothing is paced.
  std::uint32_t pacing_percent = 150;
  // A room with at least this many participants spreads its subscribers' SRTP protect and sends
  // over every worker (engine/egress_offload.hpp); 0: every room. Ignored with one worker.
  std::size_t spread_min_subscribers = 100;
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
  // false: never create an io_uring send ring (plain sendmsg), as where the kernel refuses one.
  bool io_uring = true;
};

}  // namespace rrtc::engine
