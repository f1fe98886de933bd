#pragma once
// What one loop thread measures, reset at the start of every measurement window. The window is
// defined by send time: a packet belongs to it when its probe's send time (CLOCK_MONOTONIC ns)
// lies in [start_ns, end_ns], so packets still in flight when the window closes are counted once
// they arrive (the Runner waits a drain period before collecting).
//
// Threading: the loop's thread only; the Runner reads it through a posted closure.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "latency_histogram.hpp"
#include "probe.hpp"

namespace rrtc::loadgen {

struct Window {
  std::int64_t start_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t end_ns = std::numeric_limits<std::int64_t>::min();
  bool contains(std::int64_t t) const noexcept { return t >= start_ns && t <= end_ns; }
};

struct LoopStats {
  LatencyHistogram latency[kStreamKinds];  // first arrivals in order, retransmissions excluded
  // Publisher side (window by send time).
  std::uint64_t sent[kStreamKinds] = {};
  std::uint64_t sent_layers[kMaxLayers] = {};  // video packets per simulcast layer (0 alone)
  std::uint64_t sent_bytes = 0;
  std::uint64_t keyframes_sent = 0;
  std::uint64_t retransmissions_sent = 0;
  std::uint64_t plis_received = 0;  // PLI and FIR
  std::uint64_t nacked_packets_received = 0;
  std::uint64_t send_failures = 0;
  // Receiver side (window by the probe's send time).
  std::uint64_t received[kStreamKinds] = {};       // unique packets
  std::uint64_t received_layers[kMaxLayers] = {};  // unique video packets by the probe's layer
  // Forwarded video streams, from their RTP sequence numbers (the server's, continuous across
  // layer switches): numbers spanned by the window's packets (padding-only packets excluded)
  // and how many of them arrived. Filled when the window closes.
  std::uint64_t video_seq_expected = 0;
  std::uint64_t video_seq_received = 0;
  std::uint64_t padding_received = 0;            // padding-only RTP packets (the server's probes)
  std::uint64_t transport_cc_feedback_sent = 0;  // transport-cc feedback messages
  std::uint64_t received_bytes = 0;
  std::uint64_t recovered = 0;  // unique but out of order or via RTX (no latency sample)
  std::uint64_t duplicates = 0;
  std::uint64_t too_late = 0;     // older than the duplicate window
  std::uint64_t unknown_rtp = 0;  // no probe, or an SSRC the server never offered
  std::uint64_t nacks_sent = 0;   // sequence numbers asked for
  std::uint64_t plis_sent = 0;
  std::uint64_t receiver_reports_sent = 0;
  // Every packet this loop protected or unprotected, whatever its time (for CPU per packet).
  std::uint64_t packets_out = 0;
  std::uint64_t packets_in = 0;

  void reset() { *this = LoopStats{}; }
  // Adds another loop's numbers (the Runner sums its loops).
  void merge(const LoopStats& other) {
    for (std::size_t k = 0; k < kStreamKinds; ++k) {
      latency[k].merge(other.latency[k]);
      sent[k] += other.sent[k];
      received[k] += other.received[k];
    }
    for (std::size_t l = 0; l < kMaxLayers; ++l) {
      sent_layers[l] += other.sent_layers[l];
      received_layers[l] += other.received_layers[l];
    }
    video_seq_expected += other.video_seq_expected;
    video_seq_received += other.video_seq_received;
    padding_received += other.padding_received;
    transport_cc_feedback_sent += other.transport_cc_feedback_sent;
    sent_bytes += other.sent_bytes;
    keyframes_sent += other.keyframes_sent;
    retransmissions_sent += other.retransmissions_sent;
    plis_received += other.plis_received;
    nacked_packets_received += other.nacked_packets_received;
    send_failures += other.send_failures;
    received_bytes += other.received_bytes;
    recovered += other.recovered;
    duplicates += other.duplicates;
    too_late += other.too_late;
    unknown_rtp += other.unknown_rtp;
    nacks_sent += other.nacks_sent;
    plis_sent += other.plis_sent;
    receiver_reports_sent += other.receiver_reports_sent;
    packets_out += other.packets_out;
    packets_in += other.packets_in;
  }
};

}  // namespace rrtc::loadgen
