#include "step_result.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rrtc::loadgen {
namespace json = boost::json;

namespace {
json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

void set_join_percentiles(JoinSummary& s, std::vector<double> connect_ms,
                          std::vector<double> media_ms) {
  std::sort(connect_ms.begin(), connect_ms.end());
  std::sort(media_ms.begin(), media_ms.end());
  s.connect_p50_ms = percentile(connect_ms, 0.5);
  s.connect_p99_ms = percentile(connect_ms, 0.99);
  s.connect_max_ms = percentile(connect_ms, 1.0);
  s.media_p50_ms = percentile(media_ms, 0.5);
  s.media_p99_ms = percentile(media_ms, 0.99);
  s.media_max_ms = percentile(media_ms, 1.0);
}

json::object StepResult::to_json() const {
  json::object o;
  o["label"] = label;
  o["rooms"] = rooms;
  o["participants"] = participants;
  o["publishers"] = publishers;
  o["connected"] = connected;
  o["failed"] = failed;
  o["receiving"] = receiving;
  o["seconds"] = seconds;
  o["packets_sent"] = sent;
  o["packets_sent_audio"] = sent_audio;
  o["packets_sent_video"] = sent_video;
  o["packets_expected"] = expected;
  o["packets_received"] = received;
  o["packets_recovered"] = recovered;
  o["packets_duplicate"] = duplicates;
  o["loss"] = loss;
  json::array sent_by_layer, received_by_layer;
  for (std::size_t l = 0; l < kMaxLayers; ++l) {
    sent_by_layer.push_back(sent_layers[l]);
    received_by_layer.push_back(received_layers[l]);
  }
  o["video_layers"] = json::object{{"sent", sent_by_layer},
                                   {"received", received_by_layer},
                                   {"forwarded_seq_expected", video_seq_expected},
                                   {"forwarded_seq_received", video_seq_received},
                                   {"pairs_without_video", video_missing},
                                   {"publishers_simulcast_accepted", simulcast_accepted}};
  o["transport_cc_feedback_sent"] = transport_cc_feedback_sent;
  o["padding_received"] = padding_received;
  json::array why;
  for (const auto& f : failures) why.push_back(json::value(f));
  o["failures"] = why;
  json::object latency{{"samples", latency_samples},
                       {"p50", p50},
                       {"p90", p90},
                       {"p99", p99},
                       {"p99_9", p999},
                       {"max", max},
                       {"mean", mean},
                       {"audio_p50", audio_p50},
                       {"audio_p99", audio_p99},
                       {"video_p50", video_p50},
                       {"video_p99", video_p99}};
  o["latency_us"] = latency_samples > 0 ? json::value(latency) : json::value(nullptr);
  o["feedback"] =
      json::object{{"nacked_packets", nacks_sent},       {"plis_sent", plis_sent},
                   {"retransmissions", retransmissions}, {"keyframes", keyframes},
                   {"plis_received", plis_received},     {"send_failures", send_failures}};
  o["sent_pps"] = sent_pps;
  o["forwarded_pps"] = forwarded_pps;
  json::object server;
  server["pid"] = server_pid ? json::value(*server_pid) : json::value(nullptr);
  server["cpu_seconds"] = server_cpu_s;
  server["cpu_util"] = server_cpu_util;
  server["cpu_per_forwarded_packet_us"] = opt(server_cpu_per_forwarded_us);
  server["cpu_per_received_packet_us"] = opt(server_cpu_per_received_us);
  server["rss_peak_kb"] = server_rss_peak_kb;
  server["rss_kb"] = server_rss_kb;
  json::array threads;
  for (const auto& t : server_threads) {
    threads.push_back(json::object{{"name", t.name},
                                   {"threads", t.threads},
                                   {"cpu_seconds", t.cpu_seconds},
                                   {"cpu_util", seconds > 0 ? t.cpu_seconds / seconds : 0.0},
                                   {"share", server_cpu_s > 0 ? t.cpu_seconds / server_cpu_s : 0.0}});
  }
  server["threads"] = threads;
  server["egress"] = json::object{{"handed_off", server_handed_off},
                                  {"sent_for_others", server_sent_for_others},
                                  {"dropped", server_egress_dropped}};
  server["rtp_received"] = server_rtp_received;
  server["packets_sent"] = server_packets_sent;
  server["forwarded"] = server_forwarded;
  server["unroutable"] = server_unroutable;
  server["waiting_keyframe"] = server_waiting_keyframe;
  server["decrypt_failures"] = server_decrypt_failures;
  if (server_hop) {
    server["hop_latency_us"] =
        json::object{{"count", server_hop->count},   {"p50", server_hop->p50_us},
                     {"p90", server_hop->p90_us},    {"p99", server_hop->p99_us},
                     {"p99_9", server_hop->p999_us}, {"mean", server_hop->mean_us}};
  } else {
    server["hop_latency_us"] = nullptr;
  }
  o["server"] = std::move(server);
  o["loadgen"] = json::object{{"cpu_seconds", loadgen_cpu_s},
                              {"cpu_util", loadgen_cpu_util},
                              {"cpu_per_packet_us", opt(loadgen_cpu_per_packet_us)},
                              {"timer_wakes", loadgen_wakes},
                              {"timer_late_wakes", loadgen_late_wakes},
                              {"timer_max_late_ms", loadgen_max_late_ms}};
  o["loadavg"] = json::object{{"start", loadavg_start}, {"end", loadavg_end}};
  o["runqueue_wait_s"] = json::object{{"server", opt(server_runqueue_wait_s)},
                                      {"loadgen", opt(loadgen_runqueue_wait_s)}};
  if (join) {
    o["join"] = json::object{{"joined", join->joined},
                             {"connected", join->connected},
                             {"got_media", join->got_media},
                             {"connect_ms", json::object{{"p50", join->connect_p50_ms},
                                                         {"p99", join->connect_p99_ms},
                                                         {"max", join->connect_max_ms}}},
                             {"first_media_ms", json::object{{"p50", join->media_p50_ms},
                                                             {"p99", join->media_p99_ms},
                                                             {"max", join->media_max_ms}}}};
  }
  return o;
}

void print_table_header() {
  std::printf("%-12s %5s %5s %9s %9s %9s %8s %7s %7s %7s %7s %8s %9s %8s %8s %8s %8s\n", "step",
              "rooms", "peers", "sent", "expected", "received", "loss%", "p50us", "p90us", "p99us",
              "p999us", "maxus", "fwd_pps", "srv_cpu%", "srv_us/p", "srv_MB", "lg_us/p");
}

void print_table_row(const StepResult& r) {
  const auto or_nan = [](const std::optional<double>& v) { return v ? *v : -1.0; };
  std::printf(
      "%-12s %5u %5zu %9llu %9llu %9llu %8.3f %7llu %7llu %7llu %7llu %8llu %9.0f %8.1f %8.2f "
      "%8.1f %8.2f\n",
      r.label.c_str(), r.rooms, r.participants, static_cast<unsigned long long>(r.sent),
      static_cast<unsigned long long>(r.expected), static_cast<unsigned long long>(r.received),
      r.loss * 100.0, static_cast<unsigned long long>(r.p50),
      static_cast<unsigned long long>(r.p90), static_cast<unsigned long long>(r.p99),
      static_cast<unsigned long long>(r.p999), static_cast<unsigned long long>(r.max),
      r.forwarded_pps, r.server_cpu_util * 100.0, or_nan(r.server_cpu_per_forwarded_us),
      static_cast<double>(r.server_rss_peak_kb) / 1024.0, or_nan(r.loadgen_cpu_per_packet_us));
  std::fflush(stdout);
}

void print_details(const StepResult& r) {
  std::printf(
      "  %s: %zu connected, %zu failed, %zu receiving; sent %.0f pps (audio %llu, video %llu), "
      "server decrypted %.0f RTP (%.2f us CPU each), sent %.0f packets, forwarded %.0f (unroutable "
      "%.0f, "
      "held for key frame %.0f); "
      "nacked %llu, PLIs %llu, retransmitted %llu, key frames %llu, send failures %llu; "
      "loadgen CPU %.1f%%, %llu of %llu pacing wakes >= 2 ms late (worst %lld ms); load average "
      "%.1f -> %.1f\n",
      r.label.c_str(), r.connected, r.failed, r.receiving, r.sent_pps,
      static_cast<unsigned long long>(r.sent_audio), static_cast<unsigned long long>(r.sent_video),
      r.server_rtp_received, r.server_cpu_per_received_us.value_or(-1), r.server_packets_sent,
      r.server_forwarded, r.server_unroutable, r.server_waiting_keyframe,
      static_cast<unsigned long long>(r.nacks_sent), static_cast<unsigned long long>(r.plis_sent),
      static_cast<unsigned long long>(r.retransmissions),
      static_cast<unsigned long long>(r.keyframes),
      static_cast<unsigned long long>(r.send_failures), r.loadgen_cpu_util * 100.0,
      static_cast<unsigned long long>(r.loadgen_late_wakes),
      static_cast<unsigned long long>(r.loadgen_wakes),
      static_cast<long long>(r.loadgen_max_late_ms), r.loadavg_start, r.loadavg_end);
  if (r.sent_layers[1] + r.sent_layers[2] > 0) {
    std::printf(
        "  simulcast (%zu publishers' answers took it): video sent q/h/f %llu/%llu/%llu, "
        "received q/h/f %llu/%llu/%llu; forwarded numbering spans %llu, %llu arrived; "
        "%llu receiver-publisher pairs without video\n",
        r.simulcast_accepted, static_cast<unsigned long long>(r.sent_layers[0]),
        static_cast<unsigned long long>(r.sent_layers[1]),
        static_cast<unsigned long long>(r.sent_layers[2]),
        static_cast<unsigned long long>(r.received_layers[0]),
        static_cast<unsigned long long>(r.received_layers[1]),
        static_cast<unsigned long long>(r.received_layers[2]),
        static_cast<unsigned long long>(r.video_seq_expected),
        static_cast<unsigned long long>(r.video_seq_received),
        static_cast<unsigned long long>(r.video_missing));
  }
  if (r.server_runqueue_wait_s && r.loadgen_runqueue_wait_s) {
    std::printf("  runnable but waiting for a CPU: server %.3f s, loadgen %.3f s (window %.1f s)\n",
                *r.server_runqueue_wait_s, *r.loadgen_runqueue_wait_s, r.seconds);
  }
  if (!r.server_threads.empty()) {
    std::printf("  server CPU by thread (of one core):");
    for (const auto& t : r.server_threads) {
      if (t.cpu_seconds <= 0) continue;
      std::printf(" %s%s %.1f%%", t.name.c_str(),
                  t.threads > 1 ? (" x" + std::to_string(t.threads)).c_str() : "",
                  r.seconds > 0 ? t.cpu_seconds / r.seconds * 100.0 : 0.0);
    }
    std::printf("; VmRSS %.1f MB\n", static_cast<double>(r.server_rss_kb) / 1024.0);
  }
  if (r.server_handed_off + r.server_sent_for_others + r.server_egress_dropped > 0) {
    std::printf("  spread egress: %.0f packets handed off to other workers, %.0f sent for others, "
                "%.0f dropped at the hand-off\n",
                r.server_handed_off, r.server_sent_for_others, r.server_egress_dropped);
  }
  if (r.server_hop) {
    std::printf(
        "  server hop latency (rrtc_forward_hop_latency_seconds): p50 %.1f us, p90 %.1f, "
        "p99 %.1f, p99.9 %.1f over %.0f packets\n",
        r.server_hop->p50_us, r.server_hop->p90_us, r.server_hop->p99_us, r.server_hop->p999_us,
        r.server_hop->count);
  }
  if (r.join) {
    std::printf(
        "  join storm: %zu joined, %zu connected (p50 %.0f ms, p99 %.0f, max %.0f), %zu got "
        "media (p50 %.0f ms, p99 %.0f, max %.0f after join)\n",
        r.join->joined, r.join->connected, r.join->connect_p50_ms, r.join->connect_p99_ms,
        r.join->connect_max_ms, r.join->got_media, r.join->media_p50_ms, r.join->media_p99_ms,
        r.join->media_max_ms);
  }
  std::fflush(stdout);
}

}  // namespace rrtc::loadgen
