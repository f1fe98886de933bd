#pragma once
// The bitrate a probe cluster measured: packets sent at the probe rate arrive at the rate the
// path can carry. From the feedback of one cluster: send rate = bytes (without the last sent)
// over the send span, receive rate = bytes (without the first arrived) over the arrival span;
// the result is the lower of the two. A receive rate under 95 % of the send rate means the
// probe filled the bottleneck: the result is then 95 % of the receive rate, so the estimate
// lands just under the capacity. Clusters whose spans exceed a second, whose receive rate is
// over twice the send rate (arrivals squeezed together) give no result. A cluster is measured
// only once it has been sent whole (a packet outside it followed) and 80 % of what it sent has
// been reported received, and it sent at least its minimum packets: a part of a cluster spans
// too little time for the receiver's jitter not to dominate.

#include <array>
#include <cstdint>
#include <optional>

#include "bwe/data_rate.hpp"
#include "bwe/sent_packet_history.hpp"

namespace rrtc::bwe {

struct ProbeResult {
  int cluster = kNoProbeCluster;
  DataRate bitrate;
};

class ProbeBitrate {
 public:
  static constexpr std::size_t kClusters = 8;

  // A cluster about to be sent (so its minimum packet count is known); replaces the oldest.
  void start_cluster(int id, int min_packets) noexcept;
  // Every packet sent (probe or not), to count each cluster's packets and see it end.
  void on_packet_sent(const SentPacket& packet) noexcept;
  // A probe packet the feedback reported received. Packets of unknown clusters are ignored.
  void on_packet_received(const SentPacket& packet, time::Duration arrival) noexcept;
  // The cluster's measurement so far, if it is valid yet.
  std::optional<ProbeResult> evaluate(int id) const noexcept;

 private:
  struct Cluster {
    int id = kNoProbeCluster;
    int min_packets = 0;
    int sent = 0;
    bool complete = false;
    int received = 0;
    std::int64_t bytes = 0;
    time::Timestamp first_send{};
    time::Timestamp last_send{};
    std::int64_t last_send_size = 0;
    time::Duration first_arrival{0};
    time::Duration last_arrival{0};
    std::int64_t first_arrival_size = 0;
  };
  Cluster* find(int id) noexcept;
  const Cluster* find(int id) const noexcept;

  std::array<Cluster, kClusters> clusters_{};
  std::size_t next_ = 0;
  int sending_ = kNoProbeCluster;  // the cluster of the last packet sent
};

}  // namespace rrtc::bwe
