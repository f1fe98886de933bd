#pragma once
// Per-worker counters of bandwidth estimation (issue 17): what the engine's estimators were fed
// and what they did, for /metrics (docs/metrics.md, rrtc_bwe_*). Same single-writer rule as the
// other worker counters: the worker's thread writes, /metrics reads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "room/forward_counters.hpp"

namespace rrtc::engine {

struct WorkerCounters;

struct BandwidthCounters {
  room::SingleWriterCounter feedback_received;  // transport-cc messages from subscribers
  room::SingleWriterCounter remb_received;      // REMB messages from subscribers
  room::SingleWriterCounter feedback_sent;      // transport-cc messages to publishers
  room::SingleWriterCounter packets_stamped;    // RTP to subscribers given a transport-wide seq
  room::SingleWriterCounter probes;             // probe clusters started
  room::SingleWriterCounter padding_bytes;      // probe padding the Router sent
  room::SingleWriterCounter estimate_updates;   // estimates handed to the Router
  room::SingleWriterCounter paced_packets;      // RTP that waited in a subscriber's pacer
  room::SingleWriterCounter pacer_dropped_packets;  // RTP dropped: the pacer's queue was full
  // The estimates handed to the Router, by upper bound in bit/s (last: +Inf).
  static constexpr std::array<std::uint64_t, 7> kEstimateBounds = {
      100'000, 250'000, 500'000, 1'000'000, 2'000'000, 5'000'000, 10'000'000};
  std::array<room::SingleWriterCounter, kEstimateBounds.size() + 1> estimate_buckets;
  room::SingleWriterCounter estimate_sum_bps;

  void observe_estimate(std::uint64_t bps) noexcept;
};

// Appends the rrtc_bwe_* families, summed over `workers`.
void append_bandwidth_metrics(std::span<const WorkerCounters* const> workers, std::string& out);

}  // namespace rrtc::engine
