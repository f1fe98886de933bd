#pragma once
// What the Router counts, for /metrics. Single writer: only the owning worker's thread adds
// (relaxed load + store, no read-modify-write across threads); any thread may read them with
// relaxed loads. The sum over workers is a snapshot, each value exact at some recent instant.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace rrtc::room {

// A counter with one writing thread.
class SingleWriterCounter {
 public:
  void add(std::uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void increment() noexcept { add(1); }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A Prometheus histogram with fixed buckets (seconds on export), single writer.
class LatencyHistogram {
 public:
  // Upper bounds in nanoseconds; the last bucket is +Inf.
  static constexpr std::uint64_t kBounds[] = {5'000,   10'000,  25'000,    50'000,    100'000,
                                              250'000, 500'000, 1'000'000, 5'000'000, 20'000'000};
  static constexpr std::size_t kBuckets = std::size(kBounds) + 1;

  void observe(std::uint64_t nanoseconds, std::uint64_t times = 1) noexcept {
    std::size_t i = 0;
    while (i < std::size(kBounds) && nanoseconds > kBounds[i]) ++i;
    buckets_[i].add(times);
    sum_ns_.add(nanoseconds * times);
  }
  std::uint64_t bucket(std::size_t i) const noexcept { return buckets_[i].get(); }
  std::uint64_t sum_ns() const noexcept { return sum_ns_.get(); }

 private:
  SingleWriterCounter buckets_[kBuckets];
  SingleWriterCounter sum_ns_;
};

// What the Router does (src/room/router.hpp).
struct ForwardCounters {
  SingleWriterCounter forwarded_packets;  // RTP packets sent to subscribers (first copies)
  SingleWriterCounter forwarded_bytes;
  SingleWriterCounter filtered_packets;       // not forwarded: muted, camera off, screen stopped
  SingleWriterCounter waiting_keyframe;       // egress copies held back until a key frame
  SingleWriterCounter unroutable_packets;     // unknown SSRC, invalid RTP, unmapped payload type
  // Not forwarded: a packet of that layer arrived before (a publisher's RTX padding repeats
  // packets it sent; a network may duplicate).
  SingleWriterCounter duplicate_packets;
  SingleWriterCounter retransmitted_packets;  // answered NACKs
  SingleWriterCounter retransmit_misses;      // NACKed packets no longer kept
  // NACKed packets not resent: already resent to that subscriber within its round trip, or
  // over its retransmit budget (a share of the media bytes forwarded to it).
  SingleWriterCounter retransmit_refused_duplicate;
  SingleWriterCounter retransmit_refused_budget;
  SingleWriterCounter retransmit_refused_layer;  // of a layer left for bandwidth
  // Ingress policing per published track (packet rate, bitrate): dropped before fan-out.
  SingleWriterCounter policed_packets;
  SingleWriterCounter policed_bytes;
  SingleWriterCounter malformed_rtcp;  // compounds with a bad packet (the rest is ignored)
  // Subscribers whose fresh REMB estimate was left out of a publisher's REMB as an outlier.
  SingleWriterCounter remb_outliers;
  SingleWriterCounter nacks_received;     // NACK messages from subscribers
  SingleWriterCounter nacks_sent;         // NACK messages to publishers
  SingleWriterCounter packets_recovered;  // NACKed upstream and then received
  SingleWriterCounter keyframe_requests;  // PLI / FIR sent to publishers
  SingleWriterCounter sender_reports_sent;
  SingleWriterCounter receiver_reports_sent;
  SingleWriterCounter remb_sent;
  LatencyHistogram hop_latency;  // arrival (decrypted) to departure (Router::departed) per copy
};

}  // namespace rrtc::room
