#pragma once
// Where a media worker gets its Peers. The engine is handed one factory per worker and never
// names an ICE implementation: production uses NicePeerFactory (libnice on the worker's GLib
// loop), the deterministic room tests a factory over the simulated network
// (tests/support/sim_peer_factory.hpp).
//
// Threading: the worker's thread only; the Peers it creates belong to that thread.

#include <memory>

#include "transport/peer.hpp"
#include "transport/peer_listener.hpp"
#include "transport/peer_timer.hpp"

namespace rrtc::transport {

class PeerFactory {
 public:
  virtual ~PeerFactory() = default;

  // A new Peer (gathering already: its candidates reach `listener` from the loop), or nullptr
  // when its transport cannot be created (the factory logs why). `timer` and `listener` must
  // outlive the Peer; the caller points a LoopPeerTimer at the Peer (set_peer) right after.
  virtual std::unique_ptr<Peer> create(PeerTimer& timer, PeerListener& listener) = 0;
};

}  // namespace rrtc::transport
