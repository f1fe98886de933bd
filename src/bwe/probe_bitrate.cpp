#include "bwe/probe_bitrate.hpp"

namespace rrtc::bwe {

namespace {
constexpr double kMinReceivedShare = 0.8;
constexpr double kMaxValidRatio = 2.0;    // receive rate / send rate
constexpr double kSaturatedRatio = 0.95;  // receive rate / send rate below this: saturated
constexpr double kSaturatedUtilization = 0.95;
constexpr time::Duration kMaxSpan{1'000'000};
}  // namespace

void ProbeBitrate::start_cluster(int id, int min_packets) noexcept {
  clusters_[next_] = Cluster{};
  clusters_[next_].id = id;
  clusters_[next_].min_packets = min_packets;
  next_ = (next_ + 1) % kClusters;
}

ProbeBitrate::Cluster* ProbeBitrate::find(int id) noexcept {
  for (Cluster& c : clusters_) {
    if (c.id == id && id != kNoProbeCluster) return &c;
  }
  return nullptr;
}

const ProbeBitrate::Cluster* ProbeBitrate::find(int id) const noexcept {
  for (const Cluster& c : clusters_) {
    if (c.id == id && id != kNoProbeCluster) return &c;
  }
  return nullptr;
}

void ProbeBitrate::on_packet_sent(const SentPacket& packet) noexcept {
  if (packet.probe_cluster == kNoProbeCluster && sending_ == kNoProbeCluster) return;  // media
  if (packet.probe_cluster != sending_ && sending_ != kNoProbeCluster) {
    if (Cluster* ended = find(sending_)) ended->complete = true;
  }
  sending_ = packet.probe_cluster;
  if (Cluster* c = find(packet.probe_cluster)) ++c->sent;
}

void ProbeBitrate::on_packet_received(const SentPacket& packet, time::Duration arrival) noexcept {
  Cluster* c = find(packet.probe_cluster);
  if (c == nullptr) return;
  if (c->received == 0) {
    c->first_send = c->last_send = packet.send_time;
    c->last_send_size = packet.size;
    c->first_arrival = c->last_arrival = arrival;
    c->first_arrival_size = packet.size;
  } else {
    if (packet.send_time < c->first_send) c->first_send = packet.send_time;
    if (packet.send_time >= c->last_send) {
      c->last_send = packet.send_time;
      c->last_send_size = packet.size;
    }
    if (arrival < c->first_arrival) {
      c->first_arrival = arrival;
      c->first_arrival_size = packet.size;
    }
    if (arrival > c->last_arrival) c->last_arrival = arrival;
  }
  ++c->received;
  c->bytes += packet.size;
}

std::optional<ProbeResult> ProbeBitrate::evaluate(int id) const noexcept {
  const Cluster* c = find(id);
  if (c == nullptr || !c->complete || c->received < 2 || c->sent < c->min_packets ||
      static_cast<double>(c->received) < kMinReceivedShare * c->sent) {
    return std::nullopt;
  }
  const time::Duration send_span = c->last_send - c->first_send;
  const time::Duration arrival_span = c->last_arrival - c->first_arrival;
  if (send_span <= time::Duration(0) || arrival_span <= time::Duration(0) || send_span > kMaxSpan ||
      arrival_span > kMaxSpan) {
    return std::nullopt;
  }
  const DataRate send_rate = DataRate::of(c->bytes - c->last_send_size, send_span);
  const DataRate receive_rate = DataRate::of(c->bytes - c->first_arrival_size, arrival_span);
  if (send_rate.bps() <= 0 || receive_rate / send_rate > kMaxValidRatio) return std::nullopt;
  DataRate result = std::min(send_rate, receive_rate);
  if (receive_rate / send_rate < kSaturatedRatio) result = receive_rate * kSaturatedUtilization;
  return ProbeResult{id, result};
}

}  // namespace rrtc::bwe
