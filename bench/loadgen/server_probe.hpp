#pragma once
// What the load generator reads about the server under test: its CPU time and peak RSS from
// /proc/<pid> (same machine), and its /metrics counters over HTTP.
//
// Threading: the Runner's (main) thread only; blocking calls.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rrtc::loadgen {

struct ProcSample {
  double cpu_seconds = 0;  // utime + stime
  std::uint64_t vm_hwm_kb = 0;
  std::uint64_t vm_rss_kb = 0;
};
std::optional<ProcSample> read_proc(int pid);
// Seconds the process's threads spent runnable but waiting for a CPU (sum of the second field
// of /proc/<pid>/task/*/schedstat): on a shared machine, how much others delayed it.
std::optional<double> runqueue_wait_seconds(int pid);
// One thread of the server: /proc/<pid>/task/<tid>/stat. Its name (comm) says what it is: rrtc's
// media workers are "rrtc-media-<i>", the signaling and main threads keep the binary's name.
struct ThreadSample {
  int tid = 0;
  std::string name;
  double cpu_seconds = 0;  // utime + stime
};
// Parses one task stat line ("tid (comm) S ..."); comm may hold spaces and parentheses.
std::optional<ThreadSample> parse_task_stat(const std::string& text, double ticks_per_second);
std::vector<ThreadSample> read_threads(int pid);
// CPU per thread name over a window (threads born in it count from zero), most CPU first:
// how a server's CPU divides between its media workers.
struct ThreadCpu {
  std::string name;
  std::size_t threads = 0;  // threads of that name alive at the window's end
  double cpu_seconds = 0;
};
std::vector<ThreadCpu> thread_cpu_delta(const std::vector<ThreadSample>& before,
                                        const std::vector<ThreadSample>& after);
// The process listening on TCP `port` on this machine (from /proc/net/tcp{,6} and /proc/*/fd).
std::optional<int> find_listening_pid(std::uint16_t port);

// Prometheus text exposition: "name{labels}" -> value.
using MetricValues = std::map<std::string, double>;
std::optional<MetricValues> scrape_metrics(const std::string& host, const std::string& port);
MetricValues parse_metrics(const std::string& text);
double metric(const MetricValues& values, const std::string& name);  // 0 when absent
double metric_delta(const MetricValues& before, const MetricValues& after, const std::string& name);
// `name` summed over all its label sets (name and name{...}), 0 when absent.
double metric_sum(const MetricValues& values, const std::string& name);

// Percentiles of a Prometheus histogram (seconds, cumulative _bucket{le=...} samples) over the
// difference of two scrapes, in µs: linear interpolation inside the bucket. nullopt when the
// histogram is absent or empty.
struct HistogramSummary {
  double count = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double mean_us = 0;
};
std::optional<HistogramSummary> histogram_delta(const MetricValues& before,
                                                const MetricValues& after, const std::string& name);

}  // namespace rrtc::loadgen
