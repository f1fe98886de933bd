#pragma once
// SendSideEstimator: the bandwidth towards one receiver, estimated from what we send it and
// what it reports back (GoogCC's shape, draft-ietf-rmcat-gcc-02 with the send-side delay
// filter): the delay-based estimate (InterArrival -> Trendline -> OveruseDetector ->
// AimdRateControl, decreasing to 0.85 x AcknowledgedBitrate on over-use), bounded by the
// loss-based bound (LossBased) and by the receiver's REMB when it sends one, clamped to
// [min_bitrate, max_bitrate]; and a probing plan (ProbeController) whose clusters' results
// (ProbeBitrate) raise the delay-based estimate at once. After the estimate decreases, the loss
// bound counts only packets sent from then on (those queued at the old rate overshot it, which
// the decrease answered already).
//
// Pure: time is a parameter, no I/O, no logging, no exceptions; the only allocation is the
// sent-packet history in the constructor. One object per receiver, used from one thread.
//
// Wiring (for the engine; one estimator per subscriber's transport):
//   - Every RTP packet (media, RTX, padding) sent to the subscriber carries the transport-wide
//     sequence number extension (draft-holmer-rmcat-transport-wide-cc-extensions-01) stamped
//     from one 64-bit counter per transport; right after the send call:
//       on_packet_sent({seq, size, now, probe_cluster})
//     with size the RTP packet's size (header + payload + padding) and probe_cluster the id of
//     the ProbeCluster the packet was sent for, or kNoProbeCluster.
//   - Each transport-cc feedback (RTPFB FMT=15) parsed from the subscriber's RTCP:
//       on_feedback(cc, now)
//     Feedback for numbers we never sent, duplicated and reordered feedback are harmless.
//   - The round-trip time from the subscriber's receiver reports (RFC 3550 DLSR):
//       on_rtt(rtt, now)
//   - A subscriber that did not negotiate transport-cc gets an estimator built with
//     probing.enabled = false (nothing could measure a probe); its REMB: on_remb(bitrate, now); its
//     RR loss (fraction lost x packets expected since the last RR): on_loss_report(...).
//   - Whether the sender had less to send than target_bitrate() (application-limited):
//       set_application_limited(limited)
//   - The pacer asks next_probe(now) at next_timeout(): a cluster means "send min_bytes
//     (at least min_packets packets) paced at bitrate now, tagged with id", as padding or RTX
//     when media does not fill it.
//   - target_bitrate() after each feedback is what the allocator shares across the tracks.

#include <cstdint>
#include <optional>
#include <span>

#include "bwe/acknowledged_bitrate.hpp"
#include "bwe/aimd_rate_control.hpp"
#include "bwe/congestion_window.hpp"
#include "bwe/data_rate.hpp"
#include "bwe/inter_arrival.hpp"
#include "bwe/loss_based.hpp"
#include "bwe/overuse_detector.hpp"
#include "bwe/probe_bitrate.hpp"
#include "bwe/probe_controller.hpp"
#include "bwe/sent_packet_history.hpp"
#include "bwe/trendline.hpp"
#include "rtcp/transport_cc.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

struct EstimatorConfig {
  DataRate min_bitrate = DataRate::kilobits_per_second(30);
  DataRate max_bitrate = DataRate::kilobits_per_second(20'000);
  DataRate start_bitrate = DataRate::kilobits_per_second(300);
  TrendlineConfig trendline;
  OveruseDetectorConfig detector;
  ProbeControllerConfig probing;  // its max_bitrate is taken from max_bitrate above
  CongestionWindowConfig window;
  time::Duration remb_timeout{5'000'000};
  std::size_t history = 4096;  // sent packets remembered (rounded up to a power of two)
};

// One packet's status in feedback given without the RTCP message (tests, other feedback
// formats): seq unwrapped; arrival on the receiver's clock, any origin.
struct PacketReport {
  std::int64_t seq = 0;
  bool received = false;
  time::Duration arrival{0};
};

// Counters and internal values, for metrics and tests.
struct EstimatorStats {
  std::int64_t feedbacks = 0;
  std::int64_t reports_ignored = 0;  // unknown, forgotten or already reported numbers
  std::int64_t packets_lost = 0;
  std::int64_t packets_received = 0;
  std::int64_t probe_results = 0;
  DataRate delay_based;
  std::optional<DataRate> loss_bound;
  std::optional<DataRate> acknowledged;
  BandwidthUsage usage = BandwidthUsage::kNormal;
  double threshold_ms = 0;
  double modified_trend = 0;
  std::int64_t in_flight_bytes = 0;
  std::int64_t window_bytes = 0;
  double pushback = 1.0;  // the congestion window's factor on the target
};

class SendSideEstimator {
 public:
  // Plans the initial probes from `now`.
  SendSideEstimator(const EstimatorConfig& config, time::Timestamp now);

  void on_packet_sent(const SentPacket& packet) noexcept;
  void on_feedback(const rtcp::TransportCc& feedback, time::Timestamp now) noexcept;
  // Reports in increasing seq order (as a transport-cc message lists them).
  void on_feedback(std::span<const PacketReport> reports, time::Timestamp now) noexcept;
  void on_rtt(time::Duration rtt, time::Timestamp now) noexcept;
  void on_remb(DataRate bitrate, time::Timestamp now) noexcept;
  // Loss from receiver reports; ignored once transport-cc feedback has arrived (it counts
  // loss itself).
  void on_loss_report(std::int64_t lost, std::int64_t received, time::Timestamp now) noexcept;
  void set_application_limited(bool limited) noexcept;
  // What the streams could use at most (ProbeController::set_allocation_limit); zero: unknown.
  void set_allocation_limit(DataRate limit) noexcept;

  // The estimate (delay-based, bounded by loss and REMB) scaled by the congestion window's
  // pushback, clamped to [min_bitrate, max_bitrate].
  DataRate target_bitrate() const noexcept;
  std::optional<ProbeCluster> next_probe(time::Timestamp now) noexcept;
  std::optional<time::Timestamp> next_timeout() const noexcept;
  EstimatorStats stats() const noexcept;

 private:
  void begin_feedback() noexcept;
  void on_report(std::int64_t seq, bool received, time::Duration arrival,
                 time::Timestamp now) noexcept;
  void finish_feedback(time::Timestamp now) noexcept;
  bool counts_for_loss(const SentPacket& sent) const noexcept;
  time::Duration unwrap_reference(std::int32_t reference) noexcept;
  DataRate estimate() const noexcept;  // before pushback

  EstimatorConfig config_;
  SentPacketHistory history_;
  InterArrival inter_arrival_;
  Trendline trendline_;
  OveruseDetector detector_;
  AimdRateControl aimd_;
  AcknowledgedBitrate acknowledged_;
  LossBased loss_based_;
  ProbeBitrate probe_bitrate_;
  ProbeController probes_;
  CongestionWindow window_;

  bool transport_cc_seen_ = false;
  std::optional<DataRate> remb_;
  time::Timestamp remb_at_{};
  std::optional<time::Timestamp> last_now_;
  std::optional<std::int64_t> reference_;  // unwrapped reference time, 64 ms units
  std::int64_t stats_feedbacks_ = 0;
  std::int64_t stats_ignored_ = 0;
  std::int64_t stats_lost_ = 0;
  std::int64_t stats_received_ = 0;
  std::int64_t stats_probe_results_ = 0;
  std::int64_t newest_reported_ = -1;
  // Packets sent before this (the last decrease of the estimate) do not count towards the
  // loss-based bound; nullopt: all count.
  std::optional<time::Timestamp> loss_counted_from_;

  // Per feedback.
  std::int64_t fb_lost_ = 0;
  std::int64_t fb_received_ = 0;
  std::int64_t fb_loss_lost_ = 0;  // of packets sent since loss_counted_from_
  std::int64_t fb_loss_received_ = 0;
  bool fb_overuse_ = false;
  std::optional<time::Timestamp> fb_newest_send_;  // send time of the newest packet reported
  std::int64_t fb_newest_seq_ = -1;
  std::array<int, ProbeBitrate::kClusters> fb_clusters_{};
  std::size_t fb_cluster_count_ = 0;
};

}  // namespace rrtc::bwe
