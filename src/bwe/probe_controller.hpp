#pragma once
// The probing plan: when to send a probe cluster (padding or RTX, paced at a rate above the
// target) to find out whether the path has headroom, since a sender that sends only what the
// estimate allows never learns that the capacity grew.
//   - At start: two clusters at 3x and 6x the start bitrate.
//   - Probing further: a cluster whose result reaches 70 % of its rate (the path carried it)
//     is followed by one at twice the result, up to the maximum bitrate.
//   - Periodically, every `interval` once the last probe is that old, at 2x the target (the
//     target may sit far below a capacity that has grown).
//   - After a large drop (below 66 % of the estimate of the last 5 s) while the sender is
//     application-limited (it sent less than the target, so the drop may be a misreading of a
//     quiet period), one cluster at 85 % of the estimate before the drop, or at 2x the new
//     target when that is lower (then probing further follows a result that reaches it).
//     "The estimate before the drop" restarts from each probe result, so a drop after a
//     recovery gets its own probe (a subscriber whose video a key frame burst paused again).
// A cluster waits for its result (or a second) before the next one leaves. Clusters are sent at
// 300 kbit/s at least, up to the maximum bitrate.
//
// Allocation limit (set_allocation_limit): what the sender's streams could use at most (an SFU
// subscriber: the highest layers its tracks may get). Probing past it finds nothing they could
// use, so clusters are capped at twice it, and neither periodic probes nor probing further
// start once the target reaches 1.5 times it (kEnoughFactor: the allocator raises a layer only
// with 15 % headroom, and a layer's peaks exceed its mean; stopping at the limit itself left
// an unlimited browser viewer flapping between its top layer and the one below). Without it, a
// subscriber on a fast link probed up to the maximum bitrate every interval: on loopback, 300
// webinar viewers were sent more padding than media (bench/README.md "One big room").

#include <array>
#include <cstdint>
#include <optional>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

// One probe to send now: send at least `min_bytes` and `min_packets` packets paced at
// `bitrate` (media packets may count towards it; fill the rest with padding or RTX), each
// tagged with `id` (SentPacket::probe_cluster).
struct ProbeCluster {
  int id = 0;
  DataRate bitrate;
  std::int64_t min_bytes = 0;
  int min_packets = 0;
  friend bool operator==(const ProbeCluster&, const ProbeCluster&) = default;
};

// The target at which probing stops, as a multiple of the allocation limit.
inline constexpr double kEnoughFactor = 1.5;

struct ProbeControllerConfig {
  bool enabled = true;
  double initial_factors[2] = {3.0, 6.0};
  double further_fraction = 0.7;
  double further_factor = 2.0;
  double periodic_factor = 2.0;
  time::Duration interval{2'500'000};
  time::Duration cluster_duration{40'000};
  int min_packets = 5;
  time::Duration result_timeout{1'000'000};
  double drop_fraction = 0.66;
  time::Duration drop_window{5'000'000};
  double recovery_factor = 0.85;
  DataRate max_bitrate = DataRate::kilobits_per_second(20'000);
  // No cluster below this: at a few tens of kbit/s a 40 ms cluster is two or three packets, too
  // few to measure, and a subscriber whose video was paused for bandwidth (its target that low)
  // would never find the room for its lowest layer again. 40 ms at 300 kbit/s is 1.5 KB.
  DataRate min_bitrate = DataRate::kilobits_per_second(300);
};

class ProbeController {
 public:
  explicit ProbeController(ProbeControllerConfig config = {}) noexcept : config_(config) {}

  // Plans the initial clusters (once).
  void start(DataRate start_bitrate, time::Timestamp now) noexcept;
  // The estimator's target after each update.
  void on_target(DataRate target, time::Timestamp now) noexcept;
  void on_result(int cluster, DataRate result, time::Timestamp now) noexcept;
  void set_application_limited(bool limited) noexcept { app_limited_ = limited; }
  // What the streams could use at most; zero: unknown, no limit but the maximum bitrate.
  void set_allocation_limit(DataRate limit) noexcept { allocation_limit_ = limit; }

  // The cluster to send now, if one is due; it is handed out once.
  std::optional<ProbeCluster> next_probe(time::Timestamp now) noexcept;
  // When next_probe() may next return a cluster; nullopt when none is planned.
  std::optional<time::Timestamp> next_deadline() const noexcept;

 private:
  void plan(DataRate bitrate, bool further, time::Timestamp at) noexcept;
  // The highest cluster bitrate: the maximum, or twice the allocation limit when lower.
  DataRate ceiling() const noexcept;
  // The target reached what the streams could use: no periodic or further probe.
  bool enough() const noexcept;

  struct Planned {
    DataRate bitrate;
    bool further = false;  // its result may lead to another, higher one
    time::Timestamp at{};
  };
  ProbeControllerConfig config_;
  std::array<Planned, 4> planned_{};
  std::size_t planned_count_ = 0;
  int next_id_ = 1;
  // The cluster handed out last, until its result comes or times out.
  std::optional<ProbeCluster> waiting_;
  bool waiting_further_ = false;
  time::Timestamp waiting_since_{};
  std::optional<time::Timestamp> last_probe_;
  bool started_ = false;
  bool app_limited_ = false;
  DataRate allocation_limit_;
  DataRate target_;
  DataRate recent_max_;
  time::Timestamp recent_max_at_{};
  bool drop_probe_done_ = false;
};

}  // namespace rrtc::bwe
