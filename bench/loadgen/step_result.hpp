#pragma once
// The numbers of one measurement window, as printed in the table and written to the JSON file.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loop_stats.hpp"
#include "server_probe.hpp"

namespace rrtc::loadgen {

struct JoinSummary {
  std::size_t joined = 0;
  std::size_t connected = 0;
  std::size_t got_media = 0;
  double connect_p50_ms = 0, connect_p99_ms = 0, connect_max_ms = 0;
  double media_p50_ms = 0, media_p99_ms = 0, media_max_ms = 0;
};

// Fills the p50 / p99 / max fields from the joiners' times (ms).
void set_join_percentiles(JoinSummary& summary, std::vector<double> connect_ms,
                          std::vector<double> media_ms);

struct StepResult {
  std::string label;
  unsigned rooms = 0;
  std::size_t participants = 0;
  std::size_t publishers = 0;
  std::size_t connected = 0;
  std::size_t failed = 0;
  std::size_t receiving = 0;           // counted receivers that got any media
  std::size_t simulcast_accepted = 0;  // publishers whose answer took a=simulcast
  std::vector<std::string> failures;   // why participants failed
  double seconds = 0;
  // Packets (window by send time).
  std::uint64_t sent = 0;
  std::uint64_t sent_audio = 0;
  std::uint64_t sent_video = 0;
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
  std::uint64_t recovered = 0;
  std::uint64_t duplicates = 0;
  double loss = 0;  // 1 - received / expected
  // Simulcast: video packets sent / received per layer (q, h, f), the forwarded streams'
  // sequence span and arrivals, receiver-publisher pairs without any video in the window.
  std::uint64_t sent_layers[kMaxLayers] = {};
  std::uint64_t received_layers[kMaxLayers] = {};
  std::uint64_t video_seq_expected = 0, video_seq_received = 0;
  std::uint64_t video_missing = 0;
  std::uint64_t padding_received = 0, transport_cc_feedback_sent = 0;
  // Latency, µs, first in-order arrivals.
  std::uint64_t latency_samples = 0;
  std::uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double mean = 0;
  std::uint64_t audio_p50 = 0, audio_p99 = 0, video_p50 = 0, video_p99 = 0;
  // Feedback.
  std::uint64_t nacks_sent = 0, plis_sent = 0, retransmissions = 0, keyframes = 0,
                plis_received = 0;
  std::uint64_t send_failures = 0;
  // Rates.
  double sent_pps = 0;
  double forwarded_pps = 0;  // received by the loadgen per second
  // Server.
  std::optional<int> server_pid;
  double server_cpu_s = 0;
  double server_cpu_util = 0;  // of one core
  // Server CPU over its own forwarded count (rrtc_forward_packets_total) when exported, else over
  // the packets the loadgen received.
  std::optional<double> server_cpu_per_forwarded_us;
  std::optional<double> server_cpu_per_received_us;  // per RTP packet the server decrypted
  std::uint64_t server_rss_peak_kb = 0;
  std::uint64_t server_rss_kb = 0;         // VmRSS at the window's end
  std::vector<ThreadCpu> server_threads;  // the server's CPU in the window per thread name
  double server_rtp_received = 0;
  double server_packets_sent = 0;
  double server_forwarded = 0;         // rrtc_forward_packets_total, when the server exports it
  double server_unroutable = 0;        // rrtc_forward_unroutable_packets_total
  double server_waiting_keyframe = 0;  // rrtc_forward_waiting_keyframe_total
  double server_decrypt_failures = 0;
  std::optional<HistogramSummary> server_hop;
  // A room spread over workers (issue 18): packets its worker handed to other workers' egress,
  // packets workers sent for other workers' rooms, packets dropped at the hand-off (all workers).
  double server_handed_off = 0, server_sent_for_others = 0, server_egress_dropped = 0;
  // Load generator.
  double loadgen_cpu_s = 0;
  double loadgen_cpu_util = 0;
  std::optional<double> loadgen_cpu_per_packet_us;
  std::uint64_t loadgen_wakes = 0, loadgen_late_wakes = 0;  // pacing timer wakes, >= 2 ms late
  std::int64_t loadgen_max_late_ms = 0;
  double loadavg_start = 0, loadavg_end = 0;
  // Seconds the threads waited for a CPU while runnable during the window (schedstat).
  std::optional<double> server_runqueue_wait_s,
      loadgen_runqueue_wait_s;  // /proc/loadavg (1 min): others on the machine
  std::optional<JoinSummary> join;

  boost::json::object to_json() const;
};

// What the Runner reads about the server and itself at each end of a window.
struct SystemSample {
  std::optional<MetricValues> metrics;  // the server's /metrics
  std::optional<ProcSample> proc;       // the server's /proc
  std::vector<ThreadSample> threads;    // and its threads'
  std::optional<double> server_wait_s;  // run-queue wait of the server's threads
  std::optional<double> self_wait_s;    // and of the load generator's
  double self_cpu_s = 0;                // the load generator's user + sys
  double loadavg = 0;
};

// Fills the packet, latency and feedback fields from the loops' summed numbers.
void fill_from_loops(StepResult& r, const LoopStats& total);
// Fills the server and load-generator fields from the samples around the window (after
// fill_from_loops: the per-packet figures divide by its counts).
void fill_from_samples(StepResult& r, const SystemSample& before, const SystemSample& after,
                       const LoopStats& total);

void print_table_header();
void print_table_row(const StepResult& r);
void print_details(const StepResult& r);

}  // namespace rrtc::loadgen
