#pragma once
// A pure model of one path for the estimator tests: a drop-tail bottleneck queue whose capacity
// can change over time, a fixed propagation delay, seeded jitter (which never reorders) and
// seeded random loss. Time is a parameter; the same seed gives the same run.

#include <cstdint>
#include <deque>
#include <optional>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe::test {

// A small deterministic generator (splitmix64), so runs repeat on any standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept;
  double uniform() noexcept;  // [0, 1)

 private:
  std::uint64_t state_;
};

struct LinkConfig {
  time::Duration propagation{40'000};  // one way
  time::Duration jitter{5'000};        // extra delay, uniform in [0, jitter)
  double loss = 0.0;                   // random loss after the bottleneck
  std::int64_t queue_bytes = 150'000;  // drop-tail limit of the bottleneck
  std::uint64_t seed = 1;
};

class LinkModel {
 public:
  LinkModel(LinkConfig config, DataRate capacity)
      : config_(config), capacity_(capacity), random_(config.seed) {}

  // Packets that start service from now on are served at `capacity`.
  void set_capacity(DataRate capacity) noexcept { capacity_ = capacity; }
  DataRate capacity() const noexcept { return capacity_; }

  // Sends `size` bytes at `now`: the arrival time at the receiver, or nullopt when the packet
  // is lost (at random, or dropped by a full queue).
  std::optional<time::Timestamp> send(std::int64_t size, time::Timestamp now);

  // The queuing delay a packet sent now would see.
  time::Duration queue_delay(time::Timestamp now) const noexcept;
  std::int64_t random_losses() const noexcept { return random_losses_; }
  std::int64_t queue_drops() const noexcept { return queue_drops_; }

 private:
  struct Queued {
    time::Timestamp departure;
    std::int64_t size;
  };
  LinkConfig config_;
  DataRate capacity_;
  Random random_;
  std::deque<Queued> queue_;
  std::int64_t queued_bytes_ = 0;
  time::Timestamp last_departure_{};
  time::Timestamp last_arrival_{};
  std::int64_t random_losses_ = 0;
  std::int64_t queue_drops_ = 0;
};

}  // namespace rrtc::bwe::test
