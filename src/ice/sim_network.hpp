#pragma once
// A simulated network on an io::SimLoop, for deterministic tests of whole rooms (the str0m way):
// it creates pairs of IceTransports joined by two one-way links, each shaped by its own
// LinkConfig (delay, jitter, loss, reordering, a bandwidth cap with a byte-limited queue) that a
// test may change at any time, and counted (LinkCounters). Everything random comes from a
// std::mt19937_64 per link, seeded from the network's seed, the pair and the direction: the same
// seed and the same calls give the same run, and one link's traffic never shifts another's
// draws. Print seed() when a test fails, so the run can be repeated.
//
// ICE behaves as MemoryTransport documents: one host candidate then gathering-done; Checking,
// then Connected one round trip (the two links' delays) later; a wrong password fails both
// sides; SimPath::fail() is consent loss; close() on one side fails the other after
// SimNetwork::Options::consent_timeout. Connectivity checks are not subject to loss.
//
// One datagram on one link (sent only while its side is Connected):
//   1. bandwidth cap (bits/s, 0 = none): the datagram waits behind those not yet serialized;
//      when the bytes waiting plus its own exceed queue_limit it is dropped ("dropped_queue");
//      otherwise it leaves when the link has serialized it (size * 8 / bandwidth after the
//      previous one left, or now);
//   2. loss: dropped with probability `loss` ("dropped_loss");
//   3. delay + a uniform draw in [0, jitter]; jitter never reorders: a datagram arrives no
//      earlier than the one sent before it on the same link;
//   4. reorder: with probability `reorder` it takes `reorder_delay` more, and the datagrams sent
//      after it may overtake it.
// Arrivals are SimLoop events, never delivered inside send(). A datagram reaching a side that is
// no longer Connected counts as delivered and is dropped there, as UDP would; one whose receiving
// transport was destroyed is not counted.
//
// DTLS on a simulated clock: OpenSSL 3 times DTLS retransmissions with its own real clock
// (dtls/endpoint.hpp, "Clock caveat"), so a handshake datagram lost on a simulated link is not
// resent until real time passes. Tests connect on loss-free links and switch loss on after the
// handshake (set_link at run time).
//
// Threading: the SimLoop's thread only. Lifetime: the network must outlive its pairs' transports
// and handles; events still queued in the loop after a pair is gone do nothing.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ice/memory_transport.hpp"
#include "time/media_time.hpp"

namespace rrtc::io {
class SimLoop;
}

namespace rrtc::ice {

struct LinkConfig {
  time::Duration delay{0};
  // Each datagram gets an extra delay drawn uniformly in [0, jitter]; order is kept.
  time::Duration jitter{0};
  // Probability (0..1) that a datagram is lost on the wire.
  double loss = 0.0;
  // Probability (0..1) that a datagram takes `reorder_delay` more, letting later ones overtake.
  double reorder = 0.0;
  time::Duration reorder_delay{std::chrono::milliseconds(20)};
  // Bits per second; 0 = unlimited (no queue either).
  std::uint64_t bandwidth = 0;
  // Bytes that may wait for the bandwidth cap (the datagram being serialized included).
  std::size_t queue_limit = 64 * 1024;
};

struct LinkCounters {
  std::uint64_t sent = 0;           // datagrams handed to the link
  std::uint64_t delivered = 0;      // arrived at the other side
  std::uint64_t dropped_loss = 0;   // lost on the wire (LinkConfig::loss)
  std::uint64_t dropped_queue = 0;  // refused by a full bandwidth queue
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_delivered = 0;

  bool operator==(const LinkCounters&) const = default;
};

class SimMedium;

// A handle on one pair's two links; copyable, cheap. Side A -> B is one link, B -> A the other.
class SimPath {
 public:
  explicit SimPath(std::shared_ptr<SimMedium> medium) : medium_(std::move(medium)) {}

  // Replaces the link's shape from now on (datagrams already in flight keep theirs).
  void set_link(Side from, const LinkConfig& config);
  LinkConfig link(Side from) const;
  LinkCounters counters(Side from) const;
  // Consent lost: both sides go Failed.
  void fail();
  // The pair's number on its network (0, 1, ... in creation order).
  std::uint64_t id() const;

 private:
  std::shared_ptr<SimMedium> medium_;
};

struct SimPair {
  SimPath path;
  std::unique_ptr<MemoryTransport> a;
  std::unique_ptr<MemoryTransport> b;
};

class SimNetwork {
 public:
  struct Options {
    // How long a side takes to fail once its peer closed (libnice: one consent interval, ~5 s).
    time::Duration consent_timeout{std::chrono::seconds(5)};
  };

  SimNetwork(io::SimLoop& loop, std::uint64_t seed) : SimNetwork(loop, seed, Options{}) {}
  SimNetwork(io::SimLoop& loop, std::uint64_t seed, Options options);
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // Two transports, A and B, with distinct credentials and candidates, gathering already.
  SimPair create_pair(const LinkConfig& a_to_b = {}, const LinkConfig& b_to_a = {});

  std::uint64_t seed() const noexcept { return seed_; }
  io::SimLoop& loop() const noexcept { return loop_; }
  std::uint64_t pairs_created() const noexcept { return next_id_; }

 private:
  io::SimLoop& loop_;
  std::uint64_t seed_;
  Options options_;
  std::uint64_t next_id_ = 0;
};

}  // namespace rrtc::ice
