#include "server_probe.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

namespace rrtc::loadgen {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Socket inodes listening on `port` (state 0A) in /proc/net/tcp or tcp6.
std::vector<std::string> listening_inodes(std::uint16_t port) {
  std::vector<std::string> out;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_all(file));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
          inode;
      const auto colon = local.rfind(':');
      if (colon == std::string::npos || state != "0A") continue;
      if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) out.push_back(inode);
    }
  }
  return out;
}

}  // namespace

std::optional<ProcSample> read_proc(int pid) {
  const std::string stat = read_all("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (stat.empty() || close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) f.push_back(s);
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15 (1-based).
  if (f.size() < 13) return std::nullopt;
  ProcSample sample;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  sample.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
  std::istringstream status(read_all("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    std::istringstream words(line);
    std::string key;
    std::uint64_t kb = 0;
    words >> key >> kb;
    if (key == "VmHWM:") sample.vm_hwm_kb = kb;
    if (key == "VmRSS:") sample.vm_rss_kb = kb;
  }
  return sample;
}

std::optional<double> runqueue_wait_seconds(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* tasks = opendir(dir.c_str());
  if (tasks == nullptr) return std::nullopt;
  double total = 0;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::istringstream fields(read_all(dir + "/" + entry->d_name + "/schedstat"));
    double on_cpu = 0, waiting = 0;
    if (fields >> on_cpu >> waiting) total += waiting / 1e9;
  }
  closedir(tasks);
  return total;
}

std::optional<ThreadSample> parse_task_stat(const std::string& text, double ticks_per_second) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> f;
  for (std::string s; fields >> s;) f.push_back(s);
  // f[0] is the state (field 3); utime and stime are fields 14 and 15 (1-based).
  if (f.size() < 13) return std::nullopt;
  ThreadSample sample;
  try {
    sample.tid = std::stoi(text.substr(0, open));
    sample.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks_per_second;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  sample.name = text.substr(open + 1, close - open - 1);
  return sample;
}

std::vector<ThreadSample> read_threads(int pid) {
  std::vector<ThreadSample> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* tasks = opendir(dir.c_str());
  if (tasks == nullptr) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    if (auto sample = parse_task_stat(read_all(dir + "/" + entry->d_name + "/stat"), ticks)) {
      out.push_back(std::move(*sample));
    }
  }
  closedir(tasks);
  return out;
}

std::vector<ThreadCpu> thread_cpu_delta(const std::vector<ThreadSample>& before,
                                        const std::vector<ThreadSample>& after) {
  std::map<int, double> start;
  for (const auto& t : before) start[t.tid] = t.cpu_seconds;
  std::map<std::string, ThreadCpu> by_name;
  for (const auto& t : after) {
    const auto it = start.find(t.tid);
    const double used = t.cpu_seconds - (it == start.end() ? 0.0 : it->second);
    ThreadCpu& entry = by_name[t.name];
    entry.name = t.name;
    ++entry.threads;
    entry.cpu_seconds += used;
  }
  std::vector<ThreadCpu> out;
  for (auto& [name, entry] : by_name) out.push_back(std::move(entry));
  std::stable_sort(out.begin(), out.end(), [](const ThreadCpu& a, const ThreadCpu& b) {
    return a.cpu_seconds > b.cpu_seconds;
  });
  return out;
}

std::optional<int> find_listening_pid(std::uint16_t port) {
  const auto inodes = listening_inodes(port);
  if (inodes.empty()) return std::nullopt;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<int> found;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const std::string fd_dir = "/proc/" + name + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;
    while (dirent* fd = readdir(fds)) {
      char target[128] = {};
      const std::string link = fd_dir + "/" + fd->d_name;
      const auto n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      const std::string text(target, static_cast<std::size_t>(n));
      for (const auto& inode : inodes) {
        if (text == "socket:[" + inode + "]") found = std::stoi(name);
      }
    }
    closedir(fds);
    if (found) break;
  }
  closedir(proc);
  return found;
}

MetricValues parse_metrics(const std::string& text) {
  MetricValues values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      values[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (const std::exception&) {
      // "+Inf" or garbage values: not a number we use.
    }
  }
  return values;
}

std::optional<MetricValues> scrape_metrics(const std::string& host, const std::string& port) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request{http::verb::get, "/metrics", 11};
    request.set(http::field::host, host);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    boost::system::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    if (response.result() != http::status::ok) return std::nullopt;
    return parse_metrics(response.body());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

double metric(const MetricValues& values, const std::string& name) {
  const auto it = values.find(name);
  return it == values.end() ? 0.0 : it->second;
}

double metric_sum(const MetricValues& values, const std::string& name) {
  double sum = 0;
  for (auto it = values.lower_bound(name); it != values.end(); ++it) {
    const std::string& key = it->first;
    if (key.compare(0, name.size(), name) != 0) break;
    if (key.size() == name.size() || key[name.size()] == '{') sum += it->second;
  }
  return sum;
}

double metric_delta(const MetricValues& before, const MetricValues& after,
                    const std::string& name) {
  return metric(after, name) - metric(before, name);
}

std::optional<HistogramSummary> histogram_delta(const MetricValues& before,
                                                const MetricValues& after,
                                                const std::string& name) {
  // Buckets: name_bucket{le="x"} (other labels, if any, are summed over).
  std::map<double, double> buckets;  // upper bound (s) -> cumulative count delta
  const std::string prefix = name + "_bucket{";
  for (const auto& [key, value] : after) {
    if (key.rfind(prefix, 0) != 0) continue;
    const auto le = key.find("le=\"");
    if (le == std::string::npos) continue;
    const auto end = key.find('"', le + 4);
    const std::string bound = key.substr(le + 4, end - le - 4);
    const double upper = bound == "+Inf" ? INFINITY : std::stod(bound);
    buckets[upper] += value - metric(before, key);
  }
  const double count = metric_delta(before, after, name + "_count");
  if (buckets.empty() || count <= 0) return std::nullopt;
  HistogramSummary out;
  out.count = count;
  out.mean_us = metric_delta(before, after, name + "_sum") / count * 1e6;
  const auto quantile = [&](double q) {
    const double rank = q * count;
    double lower = 0;
    double below = 0;
    for (const auto& [upper, cumulative] : buckets) {
      if (cumulative >= rank) {
        if (std::isinf(upper)) return lower * 1e6;
        const double inside = cumulative - below;
        const double fraction = inside > 0 ? (rank - below) / inside : 1.0;
        return (lower + (upper - lower) * fraction) * 1e6;
      }
      lower = upper;
      below = cumulative;
    }
    return lower * 1e6;
  };
  out.p50_us = quantile(0.5);
  out.p90_us = quantile(0.9);
  out.p99_us = quantile(0.99);
  out.p999_us = quantile(0.999);
  return out;
}

}  // namespace rrtc::loadgen
