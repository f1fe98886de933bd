#include "runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <set>

#include "clock.hpp"
#include "dtls/certificate.hpp"
#include "epoll_poll.hpp"
#include "server_probe.hpp"

namespace rrtc::loadgen {
namespace {

using namespace std::chrono_literals;

// How soon a new source (a Peer's media socket once its pair is selected) is marked may-recurse.
constexpr unsigned kSweepIntervalMs = 50;

double cpu_seconds_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void sleep_until_ns(std::int64_t t) {
  const std::int64_t now = mono_ns();
  if (t > now) std::this_thread::sleep_for(std::chrono::nanoseconds(t - now));
}

double loadavg() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

}  // namespace

Runner::Runner(const Options& options) : options_(options) {}

Runner::~Runner() { stop(); }

bool Runner::start() {
  const auto url = parse_ws_url(options_.url);
  if (!url) {
    std::cerr << "rrtc-loadgen: --url must look like ws://127.0.0.1:8080/ws\n";
    return false;
  }
  url_ = *url;
  ice::IceOptions ice_options;
  ice_options.interfaces = {url_.host == "localhost" ? "127.0.0.1" : url_.host};
  ice_options.controlling = true;
  ice::IceConfig ice_config;
  try {
    ice_config = ice::resolve_ice_config(ice_options);
  } catch (const std::exception& e) {
    std::cerr << "rrtc-loadgen: ICE setup: " << e.what() << "\n";
    return false;
  }
  const auto certificate = dtls::Certificate::generate();
  for (unsigned i = 0; i < options_.threads; ++i) {
    auto loop = std::make_unique<LoopContext>();
    loop->wheel = std::make_unique<TimerWheel>(loop->loop.context());
    loop->ice = ice_config;
    loop->certificate = certificate;
    loop->media = options_.media;
    loop->subscriber_offer = options_.subscriber_offer;
    loop->subscriber_max_width = options_.subscriber_max_width;
    loop->transport_cc = options_.transport_cc;
    if (options_.glib_can_recurse) {
      loop->sweeper = std::make_unique<SourceSweeper>(loop->loop.context(), kSweepIntervalMs);
    }
    if (options_.epoll) install_epoll_poll(loop->loop.context());
    loop->loop.start("loadgen-" + std::to_string(i));
    loops_.push_back(std::move(loop));
  }
  work_.emplace(ioc_.get_executor());
  io_thread_ = std::thread([this] { ioc_.run(); });
  if (options_.server_pid > 0) {
    server_pid_ = options_.server_pid;
  } else {
    server_pid_ = find_listening_pid(static_cast<std::uint16_t>(std::stoul(url_.port)));
  }
  if (!server_pid_) {
    std::cerr << "rrtc-loadgen: no process found listening on port " << url_.port
              << " (server CPU and memory will be missing; pass --server-pid)\n";
  }
  return true;
}

void Runner::on_loop(LoopContext& loop, const std::function<void()>& fn) {
  std::promise<void> done;
  auto future = done.get_future();
  loop.loop.post([&] {
    fn();
    done.set_value();
  });
  future.wait();
}

std::size_t Runner::add(ParticipantSpec spec) {
  const std::size_t index = participants_.size();
  spec.index = static_cast<std::uint32_t>(index);
  LoopContext& loop = loop_of(index);
  participants_.push_back(std::make_unique<Participant>(loop, ioc_, url_, std::move(spec)));
  Participant* p = participants_.back().get();
  loop.loop.post([p] { p->start(); });
  return index;
}

std::vector<std::size_t> Runner::add_rooms(unsigned first_room, unsigned count, unsigned publishers,
                                           unsigned subscribers) {
  std::vector<std::size_t> added;
  const auto gap = std::chrono::duration<double>(1.0 / options_.join_rate);
  for (unsigned r = first_room; r < first_room + count; ++r) {
    const std::string room = options_.room_prefix + "-" + std::to_string(r);
    for (unsigned i = 0; i < publishers + subscribers; ++i) {
      const bool publishes = i < publishers;
      const std::string id =
          room + (publishes ? "-pub-" : "-sub-") + std::to_string(publishes ? i : i - publishers);
      added.push_back(add(ParticipantSpec{room, id, 0, publishes}));
      std::this_thread::sleep_for(gap);
    }
  }
  rooms_ = std::max(rooms_, first_room + count);
  return added;
}

std::vector<std::size_t> Runner::add_joiners(unsigned room, unsigned count, double seconds) {
  std::vector<std::size_t> added;
  const std::string name = options_.room_prefix + "-" + std::to_string(room);
  const std::int64_t start = mono_ns();
  for (unsigned i = 0; i < count; ++i) {
    sleep_until_ns(start + static_cast<std::int64_t>(seconds * 1e9 * i / std::max(1u, count)));
    added.push_back(
        add(ParticipantSpec{name, name + "-join-" + std::to_string(joiners_++), 0, false}));
  }
  return added;
}

std::vector<Runner::Info> Runner::snapshot() {
  std::vector<Info> infos(participants_.size());
  for (auto& loop : loops_) {
    on_loop(*loop, [&] {
      for (std::size_t i = 0; i < participants_.size(); ++i) {
        if (&loop_of(i) != loop.get()) continue;
        Participant& p = *participants_[i];
        Info& info = infos[i];
        info.room = p.spec().room;
        info.publishes = p.spec().publishes;
        info.phase = p.phase();
        info.failure = p.failure();
        info.join_ns = p.join_ns();
        info.connected_ns = p.connected_ns();
        info.first_media_ns = p.first_media_ns();
        info.simulcast_accepted = p.simulcast_accepted();
        if (auto* receiver = p.receiver()) {
          info.counted = receiver->counted();
          info.streams_seen = receiver->streams_seen();
          info.video_publishers = receiver->window_video_publishers();
        }
        if (auto* sender = p.sender()) {
          info.sent[0] = sender->window_sent(StreamKind::audio);
          info.sent[1] = sender->window_sent(StreamKind::video);
          for (std::size_t l = 0; l < kMaxLayers; ++l) {
            info.sent_layers[l] = sender->window_sent_layer(l);
          }
        }
      }
    });
  }
  return infos;
}

std::size_t Runner::expected_streams(const std::vector<Info>& infos, std::size_t who) const {
  const unsigned per_publisher =
      (options_.media.audio ? 1u : 0u) + (options_.media.video ? 1u : 0u);
  std::size_t n = 0;
  for (std::size_t i = 0; i < infos.size(); ++i) {
    if (i != who && infos[i].publishes && infos[i].room == infos[who].room &&
        infos[i].phase == ParticipantPhase::connected) {
      n += per_publisher;
    }
  }
  return n;
}

std::size_t Runner::wait_connected(const std::vector<std::size_t>& who, double timeout_s) {
  const std::int64_t deadline = mono_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
  while (true) {
    const auto infos = snapshot();
    std::size_t connected = 0, pending = 0;
    for (const auto i : who) {
      if (infos[i].phase == ParticipantPhase::connected) ++connected;
      if (infos[i].phase == ParticipantPhase::joining ||
          infos[i].phase == ParticipantPhase::negotiating) {
        ++pending;
      }
    }
    if (pending == 0 || mono_ns() > deadline) {
      for (const auto i : who) {
        if (infos[i].phase == ParticipantPhase::failed) {
          std::cerr << "  participant " << i << " failed: " << infos[i].failure << "\n";
        }
      }
      return connected;
    }
    std::this_thread::sleep_for(50ms);
  }
}

std::size_t Runner::wait_receiving(const std::vector<std::size_t>& who, double timeout_s) {
  const std::int64_t deadline = mono_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
  while (true) {
    const auto infos = snapshot();
    std::size_t ready = 0, connected = 0;
    for (const auto i : who) {
      if (infos[i].phase != ParticipantPhase::connected) continue;
      ++connected;
      if (infos[i].streams_seen >= expected_streams(infos, i)) ++ready;
    }
    if (ready == connected || mono_ns() > deadline) return ready;
    std::this_thread::sleep_for(50ms);
  }
}

void Runner::open_window(std::int64_t start_ns, std::int64_t end_ns) {
  for (auto& loop : loops_) {
    on_loop(*loop, [&] {
      loop->stats.reset();
      loop->wheel->reset_lateness();
      loop->window = Window{start_ns, end_ns};
      for (std::size_t i = 0; i < participants_.size(); ++i) {
        if (&loop_of(i) != loop.get()) continue;
        Participant& p = *participants_[i];
        if (auto* sender = p.sender()) sender->reset_window();
        if (auto* receiver = p.receiver()) {
          receiver->set_counted(p.phase() == ParticipantPhase::connected);
          receiver->reset_window();
        }
      }
    });
  }
}

LoopStats Runner::close_window(StepResult& r) {
  LoopStats total;
  for (auto& loop : loops_) {
    on_loop(*loop, [&] {
      for (std::size_t i = 0; i < participants_.size(); ++i) {
        if (&loop_of(i) != loop.get()) continue;
        if (auto* receiver = participants_[i]->receiver()) receiver->collect_window(loop->stats);
      }
      total.merge(loop->stats);
      loop->window = Window{};
      const auto& late = loop->wheel->lateness();
      r.loadgen_wakes += late.wakes;
      r.loadgen_late_wakes += late.late_wakes;
      r.loadgen_max_late_ms = std::max(r.loadgen_max_late_ms, late.max_ms);
    });
  }
  return total;
}

SystemSample Runner::sample_system() {
  SystemSample s;
  s.metrics = scrape_metrics(url_.host, url_.port);
  if (server_pid_) {
    s.proc = read_proc(*server_pid_);
    s.threads = read_threads(*server_pid_);
    s.server_wait_s = runqueue_wait_seconds(*server_pid_);
  }
  s.self_wait_s = runqueue_wait_seconds(static_cast<int>(getpid()));
  s.self_cpu_s = cpu_seconds_self();
  s.loadavg = loadavg();
  return s;
}

void Runner::count_participants(StepResult& r, const LoopStats& total) {
  const auto infos = snapshot();
  const bool simulcast = options_.media.layers > 1;
  // Expected: every counted receiver gets what each other publisher of its room sent. With
  // simulcast the server forwards one layer of a publisher's video, which one is its choice:
  // the video expected is what the forwarded streams' sequence numbers span (total), and a
  // publisher whose video did not arrive at all counts its lowest layer as lost.
  if (simulcast) r.expected += total.video_seq_expected;
  for (std::size_t i = 0; i < infos.size(); ++i) {
    const Info& info = infos[i];
    ++r.participants;
    if (info.publishes) ++r.publishers;
    if (info.publishes && info.simulcast_accepted) ++r.simulcast_accepted;
    if (info.phase == ParticipantPhase::connected) ++r.connected;
    if (info.phase == ParticipantPhase::failed) ++r.failed;
    if (info.phase == ParticipantPhase::failed) r.failures.push_back(info.failure);
    if (!info.counted) continue;
    if (info.first_media_ns != 0) ++r.receiving;
    for (std::size_t j = 0; j < infos.size(); ++j) {
      if (j == i || !infos[j].publishes || infos[j].room != info.room) continue;
      r.expected += infos[j].sent[0];
      if (!simulcast) {
        r.expected += infos[j].sent[1];
      } else if (std::find(info.video_publishers.begin(), info.video_publishers.end(), j) ==
                 info.video_publishers.end()) {
        r.expected += infos[j].sent_layers[0];
        ++r.video_missing;
      }
    }
  }
}

StepResult Runner::measure(const std::string& label, double seconds,
                           const std::function<void()>& during) {
  StepResult r;
  r.label = label;
  r.rooms = rooms_;
  r.seconds = seconds;
  r.server_pid = server_pid_;
  const std::int64_t start_ns = mono_ns() + 200'000'000;
  const std::int64_t end_ns = start_ns + static_cast<std::int64_t>(seconds * 1e9);
  open_window(start_ns, end_ns);
  sleep_until_ns(start_ns);
  const SystemSample before = sample_system();
  if (during) during();
  sleep_until_ns(end_ns);
  const SystemSample after = sample_system();
  std::this_thread::sleep_for(std::chrono::duration<double>(options_.drain_s));
  const LoopStats total = close_window(r);
  count_participants(r, total);
  fill_from_loops(r, total);
  fill_from_samples(r, before, after, total);
  return r;
}

JoinSummary Runner::summarize_joins(const std::vector<std::size_t>& who) {
  const auto infos = snapshot();
  JoinSummary s;
  std::vector<double> connect_ms, media_ms;
  for (const auto i : who) {
    const Info& info = infos[i];
    ++s.joined;
    if (info.connected_ns != 0) {
      ++s.connected;
      connect_ms.push_back(static_cast<double>(info.connected_ns - info.join_ns) / 1e6);
    }
    if (info.first_media_ns != 0) {
      ++s.got_media;
      media_ms.push_back(static_cast<double>(info.first_media_ns - info.join_ns) / 1e6);
    }
  }
  set_join_percentiles(s, std::move(connect_ms), std::move(media_ms));
  return s;
}

void Runner::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (std::size_t i = 0; i < participants_.size(); ++i) {
    Participant* p = participants_[i].get();
    on_loop(loop_of(i), [p] { p->stop(); });
  }
  // Let leave messages and DTLS close_notify go out.
  if (!participants_.empty()) std::this_thread::sleep_for(300ms);
  work_.reset();
  ioc_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  for (auto& loop : loops_) loop->loop.stop();
  // Destroy participants on this thread now that no loop runs; the agents' sources die with the
  // contexts.
  participants_.clear();
  for (auto& loop : loops_) {
    loop->sweeper.reset();
    loop->wheel.reset();
  }
  loops_.clear();
}

}  // namespace rrtc::loadgen
