// The arithmetic that turns a window's counts and samples into a StepResult.
#include <algorithm>
#include <string>

#include "step_result.hpp"

namespace rrtc::loadgen {
namespace {

double rtp_received(const MetricValues& m) {
  double total = 0;
  for (const char* kind : {"audio", "video", "unknown"}) {
    total += metric(m, std::string("rrtc_media_rtp_packets_received_total{kind=\"") + kind + "\"}");
  }
  return total;
}

std::optional<double> difference(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

}  // namespace

void fill_from_loops(StepResult& r, const LoopStats& total) {
  r.sent_audio = total.sent[0];
  r.sent_video = total.sent[1];
  r.sent = r.sent_audio + r.sent_video;
  r.received = total.received[0] + total.received[1];
  for (std::size_t l = 0; l < kMaxLayers; ++l) {
    r.sent_layers[l] = total.sent_layers[l];
    r.received_layers[l] = total.received_layers[l];
  }
  r.video_seq_expected = total.video_seq_expected;
  r.video_seq_received = total.video_seq_received;
  r.padding_received = total.padding_received;
  r.transport_cc_feedback_sent = total.transport_cc_feedback_sent;
  r.loss = r.expected == 0 ? 0.0
                           : 1.0 - static_cast<double>(std::min(r.received, r.expected)) /
                                       static_cast<double>(r.expected);
  LatencyHistogram all = total.latency[0];
  all.merge(total.latency[1]);
  r.latency_samples = all.count();
  r.p50 = all.percentile(0.5);
  r.p90 = all.percentile(0.9);
  r.p99 = all.percentile(0.99);
  r.p999 = all.percentile(0.999);
  r.max = all.max();
  r.mean = all.mean();
  r.audio_p50 = total.latency[0].percentile(0.5);
  r.audio_p99 = total.latency[0].percentile(0.99);
  r.video_p50 = total.latency[1].percentile(0.5);
  r.video_p99 = total.latency[1].percentile(0.99);
  r.recovered = total.recovered;
  r.duplicates = total.duplicates;
  r.nacks_sent = total.nacks_sent;
  r.plis_sent = total.plis_sent;
  r.retransmissions = total.retransmissions_sent;
  r.keyframes = total.keyframes_sent;
  r.plis_received = total.plis_received;
  r.send_failures = total.send_failures;
  r.sent_pps = static_cast<double>(r.sent) / r.seconds;
  r.forwarded_pps = static_cast<double>(r.received) / r.seconds;
}

void fill_from_samples(StepResult& r, const SystemSample& before, const SystemSample& after,
                       const LoopStats& total) {
  r.loadavg_start = before.loadavg;
  r.loadavg_end = after.loadavg;
  r.server_runqueue_wait_s = difference(before.server_wait_s, after.server_wait_s);
  r.loadgen_runqueue_wait_s = difference(before.self_wait_s, after.self_wait_s);
  if (before.metrics && after.metrics) {
    const auto& a = *before.metrics;
    const auto& b = *after.metrics;
    r.server_rtp_received = rtp_received(b) - rtp_received(a);
    r.server_packets_sent = metric_delta(a, b, "rrtc_media_packets_sent_total");
    r.server_decrypt_failures = metric_delta(a, b, "rrtc_media_srtp_decrypt_failures_total");
    r.server_forwarded = metric_delta(a, b, "rrtc_forward_packets_total");
    r.server_unroutable = metric_delta(a, b, "rrtc_forward_unroutable_packets_total");
    r.server_waiting_keyframe = metric_delta(a, b, "rrtc_forward_waiting_keyframe_total");
    r.server_hop = histogram_delta(a, b, "rrtc_forward_hop_latency_seconds");
    const auto summed = [&](const char* name) { return metric_sum(b, name) - metric_sum(a, name); };
    r.server_handed_off = summed("rrtc_egress_handed_off_total");
    r.server_sent_for_others = summed("rrtc_egress_sent_for_others_total");
    r.server_egress_dropped = summed("rrtc_egress_dropped_total");
  }
  if (before.proc && after.proc) {
    r.server_cpu_s = after.proc->cpu_seconds - before.proc->cpu_seconds;
    r.server_cpu_util = r.server_cpu_s / r.seconds;
    r.server_rss_peak_kb = after.proc->vm_hwm_kb;
    r.server_rss_kb = after.proc->vm_rss_kb;
    r.server_threads = thread_cpu_delta(before.threads, after.threads);
    const double forwarded =
        r.server_forwarded > 0 ? r.server_forwarded : static_cast<double>(r.received);
    if (forwarded > 0) r.server_cpu_per_forwarded_us = r.server_cpu_s * 1e6 / forwarded;
    if (r.server_rtp_received > 0) {
      r.server_cpu_per_received_us = r.server_cpu_s * 1e6 / r.server_rtp_received;
    }
  }
  r.loadgen_cpu_s = after.self_cpu_s - before.self_cpu_s;
  r.loadgen_cpu_util = r.loadgen_cpu_s / r.seconds;
  // Packets the loadgen handled in the window's wall time (~ in the send-time window).
  const auto handled = total.packets_in + total.packets_out;
  if (handled > 0) {
    r.loadgen_cpu_per_packet_us = r.loadgen_cpu_s * 1e6 / static_cast<double>(handled);
  }
}

}  // namespace rrtc::loadgen
