#include "engine/bandwidth_counters.hpp"

#include "engine/media_counters.hpp"

namespace rrtc::engine {

void BandwidthCounters::observe_estimate(std::uint64_t bps) noexcept {
  std::size_t i = 0;
  while (i < kEstimateBounds.size() && bps > kEstimateBounds[i]) ++i;
  estimate_buckets[i].increment();
  estimate_sum_bps.add(bps);
  estimate_updates.increment();
}

namespace {

using Field = const room::SingleWriterCounter BandwidthCounters::*;

std::uint64_t sum(std::span<const WorkerCounters* const> workers, Field field) {
  std::uint64_t total = 0;
  for (const auto* w : workers) total += (w->bwe.*field).get();
  return total;
}

void counter(std::string& out, std::span<const WorkerCounters* const> workers, const char* name,
             Field field, const char* help) {
  out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n";
  out += std::string(name) + ' ' + std::to_string(sum(workers, field)) + '\n';
}

}  // namespace

void append_bandwidth_metrics(std::span<const WorkerCounters* const> workers, std::string& out) {
  counter(out, workers, "rrtc_bwe_feedback_received_total", &BandwidthCounters::feedback_received,
          "Transport-cc feedback messages received from subscribers.");
  counter(out, workers, "rrtc_bwe_remb_received_total", &BandwidthCounters::remb_received,
          "REMB messages received from subscribers.");
  counter(out, workers, "rrtc_bwe_feedback_sent_total", &BandwidthCounters::feedback_sent,
          "Transport-cc feedback messages sent to publishers about their uplink.");
  counter(out, workers, "rrtc_bwe_packets_stamped_total", &BandwidthCounters::packets_stamped,
          "RTP packets to subscribers stamped with a transport-wide sequence number.");
  counter(out, workers, "rrtc_bwe_probes_total", &BandwidthCounters::probes,
          "Bandwidth probe clusters started towards subscribers.");
  counter(out, workers, "rrtc_bwe_padding_bytes_total", &BandwidthCounters::padding_bytes,
          "RTP padding bytes sent to subscribers for probes.");
  counter(out, workers, "rrtc_bwe_paced_packets_total", &BandwidthCounters::paced_packets,
          "RTP packets to subscribers that waited in their pacer (pacing_percent of their "
          "estimate).");
  counter(out, workers, "rrtc_bwe_pacer_dropped_packets_total",
          &BandwidthCounters::pacer_dropped_packets,
          "RTP packets to subscribers dropped because their pacer's queue held 500 ms.");
  const char* name = "rrtc_bwe_estimate_bps";
  out += std::string("# HELP ") + name +
         " Send-side bandwidth estimates handed to the Router (bit/s), one per update.\n" +
         "# TYPE " + name + " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= BandwidthCounters::kEstimateBounds.size(); ++i) {
    for (const auto* w : workers) cumulative += w->bwe.estimate_buckets[i].get();
    const std::string le = i < BandwidthCounters::kEstimateBounds.size()
                               ? std::to_string(BandwidthCounters::kEstimateBounds[i])
                               : "+Inf";
    out += std::string(name) + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + '\n';
  }
  out += std::string(name) + "_sum " +
         std::to_string(sum(workers, &BandwidthCounters::estimate_sum_bps)) + '\n';
  out += std::string(name) + "_count " +
         std::to_string(sum(workers, &BandwidthCounters::estimate_updates)) + '\n';
}

}  // namespace rrtc::engine
