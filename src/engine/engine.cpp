#include "engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "engine/egress_offload.hpp"
#include "engine/media_counters.hpp"
#include "engine/worker_thread.hpp"
#include "log/log.hpp"

namespace rrtc::engine {
namespace {

constexpr auto kShutdownDeadline = std::chrono::seconds(5);

transport::IceConfig server_ice_config(const MediaEngineOptions& options) {
  auto ice = options.ice;
  ice.controlling = false;  // DESIGN.md: the server is the controlled agent
  // relay_only stays as configured ([turn] ice_transport_policy = "relay").
  return transport::resolve_ice_config(ice);
}

// FNV-1a: stable across runs and standard library versions (std::hash is neither promised).
std::uint64_t stable_hash(const std::string& text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

MediaEngine::MediaEngine(const MediaEngineOptions& options)
    : ice_(server_ice_config(options)), limits_(options.limits) {
  auto count = options.workers;
  if (count == 0) count = std::max(1U, std::thread::hardware_concurrency());
  if (count > 1) egress_ = std::make_unique<EgressOffload>(count);
  workers_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    workers_.push_back(std::make_unique<WorkerThread>(i, ice_, limits_, options.io_uring,
                                                      kMaxQueuedRequests, egress_.get()));
    workers_.back()->start();
  }
  rrtc::log::get("room").info(
      "media engine: {} worker(s), io_uring {}, rooms of {}+ participants spread over all "
      "workers",
      count, options.io_uring ? "on where the kernel allows" : "off",
      count > 1 ? std::to_string(limits_.spread_min_subscribers) : std::string("(never: one worker)"));
}

MediaEngine::~MediaEngine() { stop(); }

std::size_t MediaEngine::worker_index(const std::string& room) const noexcept {
  return static_cast<std::size_t>(stable_hash(room) % workers_.size());
}

void MediaEngine::attach(std::shared_ptr<room::SignalingChannel> channel) {
  for (auto& worker : workers_) worker->set_channel(channel);
}

void MediaEngine::submit(room::MediaRequest request) {
  if (stopped_) return;
  auto& worker = *workers_[worker_index(request.room)];
  worker.submit(std::move(request));
}

void MediaEngine::query_room(std::string room, StatsCallback done) {
  if (stopped_) {
    done({});
    return;
  }
  auto& worker = *workers_[worker_index(room)];
  worker.query_room(std::move(room), std::move(done));
}

void MediaEngine::stop() {
  if (stopped_.exchange(true)) return;
  std::vector<std::shared_future<void>> done;
  for (auto& worker : workers_) done.push_back(worker->begin_shutdown());
  const auto deadline = io::now() + kShutdownDeadline;
  for (auto& future : done) {
    if (future.wait_until(deadline) != std::future_status::ready) {
      rrtc::log::get("room").warn("media engine: libnice agents still alive at shutdown");
      break;
    }
  }
  for (auto& worker : workers_) worker->stop_loop();
}

void MediaEngine::append_metrics(std::string& out) const {
  std::vector<const WorkerCounters*> counters;
  counters.reserve(workers_.size());
  for (const auto& worker : workers_) counters.push_back(&worker->counters());
  engine::append_metrics(counters, out);
  append_egress_metrics(out);
}

void MediaEngine::append_egress_metrics(std::string& out) const {
  // Per worker, so a measurement can see the load move (issue 18); absent with one worker.
  if (egress_ == nullptr) return;
  struct Metric {
    const char* name;
    const char* help;
    const room::SingleWriterCounter EgressCounters::* counter;
  };
  static constexpr Metric kMetrics[] = {
      {"rrtc_egress_handed_off_total",
       "RTP copies this worker's rooms handed to another worker to protect and send.",
       &EgressCounters::handed_off},
      {"rrtc_egress_dropped_total",
       "RTP copies dropped at the hand-off: the ring to the other worker was full.",
       &EgressCounters::dropped},
      {"rrtc_egress_sent_for_others_total",
       "RTP copies this worker protected and sent for other workers' rooms.",
       &EgressCounters::sent_for_others},
      {"rrtc_egress_send_failures_total",
       "Of those, copies that could not be protected or that sendto refused.",
       &EgressCounters::send_failures},
      {"rrtc_egress_lanes_opened_total",
       "Subscribers of this worker's rooms given to another worker to send.",
       &EgressCounters::lanes_opened},
  };
  for (const Metric& metric : kMetrics) {
    out += "# HELP ";
    out += metric.name;
    out += ' ';
    out += metric.help;
    out += "\n# TYPE ";
    out += metric.name;
    out += " counter\n";
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      const EgressCounters* counters = workers_[i]->egress_counters();
      if (counters == nullptr) continue;
      out += metric.name;
      out += "{worker=\"" + std::to_string(i) + "\"} ";
      out += std::to_string((counters->*metric.counter).get());
      out += '\n';
    }
  }
}

}  // namespace rrtc::engine
