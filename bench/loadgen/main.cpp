// rrtc-loadgen: drives a running rrtc the way browsers do (signaling over WebSocket, ICE, DTLS,
// SRTP from the project's own layers) and reports forwarding loss, one-way latency, the server's
// CPU per forwarded packet and its peak memory. See bench/README.md.

#include <sys/utsname.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "log/log.hpp"
#include "options.hpp"
#include "runner.hpp"

namespace loadgen = rrtc::loadgen;
namespace json = boost::json;

namespace {

json::object describe(const loadgen::Options& o) {
  utsname name{};
  uname(&name);
  json::array sizes;
  for (const unsigned n : o.room_sizes) sizes.push_back(n);
  return json::object{
      {"url", o.url},
      {"scenario", o.scenario_name},
      {"duration_s", o.duration_s},
      {"rooms", o.rooms},
      {"publishers_per_room", o.publishers},
      {"subscribers_per_room", o.subscribers},
      {"audio", o.media.audio},
      {"video", o.media.video},
      {"video_bitrate", o.media.video_bitrate},
      {"fps", o.media.fps},
      {"packet_size", o.media.packet_size},
      {"audio_bytes", o.media.audio_bytes},
      {"layers", o.media.layers},
      {"temporal_layers", o.media.temporal_layers},
      {"subscriber_max_width", o.subscriber_max_width},
      {"transport_cc", o.transport_cc},
      {"threads", o.threads},
      {"glib_can_recurse", o.glib_can_recurse},
      {"poll", o.epoll ? "epoll" : "poll"},
      {"join_rate", o.join_rate},
      {"knee_loss", o.knee_loss},
      {"knee_hop_p99_us", o.knee_hop_p99_us},
      {"sizes", sizes},
      {"machine", std::string(name.sysname) + " " + name.release + " " + name.machine},
      {"cpus", std::thread::hardware_concurrency()},
  };
}

bool knee(const loadgen::StepResult& r, const loadgen::Options& o) {
  return r.loss > o.knee_loss || static_cast<double>(r.p99) > o.knee_p99_us || r.failed > 0;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto options = loadgen::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  // The layers' loggers (created on first use) inherit this level: only warnings and errors.
  spdlog::set_level(spdlog::level::warn);

  loadgen::Runner runner(*options);
  if (!runner.start()) return 2;
  json::array steps;
  std::optional<json::object> knee_step;
  const auto report = [&](const loadgen::StepResult& r) {
    loadgen::print_table_row(r);
    loadgen::print_details(r);
    steps.push_back(r.to_json());
    for (const auto& why : r.failures) std::fprintf(stderr, "  failed: %s\n", why.c_str());
    // A pinned layer the server refused must not pass for a measurement of it.
    if (options->subscriber_max_width != 0 && r.failed > 0) exit_code = 1;
  };
  std::printf(
      "rrtc-loadgen %s against %s: %u-person rooms (%u publishers), %s%s, %llu bit/s video "
      "at %u fps, payload <= %u bytes\n",
      options->scenario_name.c_str(), options->url.c_str(),
      options->publishers + options->subscribers, options->publishers,
      options->media.audio ? "audio" : "", options->media.video ? "+video" : "",
      static_cast<unsigned long long>(options->media.video_bitrate), options->media.fps,
      options->media.packet_size);
  loadgen::print_table_header();

  const auto settle = [&](const std::vector<std::size_t>& who) {
    const auto connected = runner.wait_connected(who, options->connect_timeout_s);
    const auto receiving = runner.wait_receiving(who, options->media_timeout_s);
    std::fprintf(stderr, "  %zu of %zu connected, %zu receiving every stream of their room\n",
                 connected, who.size(), receiving);
    std::this_thread::sleep_for(std::chrono::duration<double>(options->warmup_s));
    return connected;
  };

  switch (options->scenario) {
    case loadgen::Scenario::fixed: {
      const auto who =
          runner.add_rooms(0, options->rooms, options->publishers, options->subscribers);
      if (settle(who) == 0) exit_code = 1;
      report(runner.measure(options->scenario_name, options->duration_s));
      break;
    }
    case loadgen::Scenario::ramp: {
      unsigned rooms = 0;
      std::vector<std::size_t> everyone;
      while (rooms < options->ramp_max_rooms) {
        const unsigned add = std::min(options->ramp_step, options->ramp_max_rooms - rooms);
        const auto who = runner.add_rooms(rooms, add, options->publishers, options->subscribers);
        everyone.insert(everyone.end(), who.begin(), who.end());
        rooms += add;
        settle(everyone);
        const auto r = runner.measure("rooms=" + std::to_string(rooms), options->duration_s);
        report(r);
        if (knee(r, *options)) {
          knee_step = r.to_json();
          break;
        }
      }
      break;
    }
    case loadgen::Scenario::bigroom: {
      // One room grows: the publisher(s) first, then subscribers joined at --join-rate up to
      // each size; everyone stays for the next step.
      auto everyone = runner.add_rooms(0, 1, options->publishers, 0);
      unsigned subscribers = 0;
      for (const unsigned size : options->room_sizes) {
        const unsigned add = size - subscribers;
        const auto who = runner.add_joiners(0, add, add / options->join_rate);
        everyone.insert(everyone.end(), who.begin(), who.end());
        subscribers = size;
        if (settle(everyone) == 0) exit_code = 1;
        const auto r = runner.measure("subs=" + std::to_string(size), options->duration_s);
        report(r);
        const bool hop_knee =
            r.server_hop && r.server_hop->p99_us >= options->knee_hop_p99_us;
        if (r.loss >= options->knee_loss || hop_knee || r.failed > 0) {
          knee_step = r.to_json();
          break;
        }
      }
      break;
    }
    case loadgen::Scenario::join_storm: {
      const auto base = runner.add_rooms(0, 1, options->publishers, options->subscribers);
      if (settle(base) == 0) exit_code = 1;
      std::vector<std::size_t> joiners;
      auto r = runner.measure("join-storm", options->duration_s, [&] {
        joiners = runner.add_joiners(0, options->storm, options->storm_s);
      });
      r.join = runner.summarize_joins(joiners);
      report(r);
      break;
    }
  }
  runner.stop();

  if (!options->json_path.empty()) {
    json::object out{{"config", describe(*options)}, {"steps", steps}};
    out["knee"] = knee_step ? json::value(*knee_step) : json::value(nullptr);
    std::ofstream file(options->json_path);
    file << json::serialize(out) << "\n";
    if (!file) {
      std::cerr << "rrtc-loadgen: could not write " << options->json_path << "\n";
      return 2;
    }
  }
  return exit_code;
}
