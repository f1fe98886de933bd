#include "engine/worker.hpp"

#include <chrono>
#include <iterator>

#include "ice/nice_transport.hpp"

namespace rrtc::engine {
namespace {

// Peer counters (datagrams, decrypt failures, sends) are folded into the worker's counters at
// this period and when a participant is freed; decrypted RTP is counted per packet.
constexpr std::chrono::milliseconds kCollectPeriod{1000};
// How often shutdown checks whether libnice released its agents.
constexpr std::chrono::milliseconds kAgentsPoll{10};

}  // namespace

MediaWorker::MediaWorker(std::size_t index, const ice::IceConfig& ice,
                         std::shared_ptr<const dtls::Certificate> certificate,
                         const MediaLimits& limits)
    : index_(index),
      context_{loop_,     ice,     std::move(certificate),     limits,
               counters_, nullptr, nullptr,                 [this] { request_sweep(); }},
      stopped_future_(stopped_.get_future().share()) {}

MediaWorker::~MediaWorker() {
  if (started_ && !shutdown_begun_) {
    begin_shutdown().wait_for(std::chrono::seconds(5));
  }
  loop_.stop();
  // The loop is stopped: whatever the shutdown closure did not free goes here, with no
  // libnice event left to deliver.
  rooms_.clear();
}

void MediaWorker::start() {
  started_ = true;
  loop_.start("rrtc-media-" + std::to_string(index_));
  // Created on the worker's thread, its only submitter; before any participant (posted first).
  post([this] {
    send_ring_ = io::SendRing::create();
    context_.send_ring = send_ring_.get();
  });
  post([this] { collect_counters(); });
}

void MediaWorker::set_channel(std::shared_ptr<room::SignalingChannel> channel) {
  context_.channel = std::move(channel);
}

void MediaWorker::join(const std::string& room, const std::string& participant,
                       const room::ParticipantState& state) {
  if (shutting_down_) return;
  auto& slot = rooms_[room];
  if (slot == nullptr) slot = std::make_unique<MediaRoom>(context_, room);
  slot->join(participant, state);
}

void MediaWorker::leave(const std::string& room, const std::string& participant) {
  if (const auto it = rooms_.find(room); it != rooms_.end()) it->second->leave(participant);
}

void MediaWorker::offer(const std::string& room, const std::string& participant,
                        const std::string& sdp, const std::vector<room::TrackInfo>& tracks) {
  if (const auto it = rooms_.find(room); it != rooms_.end()) {
    it->second->offer(participant, sdp, tracks);
  }
}

void MediaWorker::answer(const std::string& room, const std::string& participant,
                         const std::string& sdp) {
  if (const auto it = rooms_.find(room); it != rooms_.end()) it->second->answer(participant, sdp);
}

void MediaWorker::state(const std::string& room, const std::string& participant,
                        const room::ParticipantState& state) {
  if (const auto it = rooms_.find(room); it != rooms_.end()) it->second->state(participant, state);
}

void MediaWorker::candidate(const std::string& room, const std::string& participant,
                            const room::IceCandidate& candidate) {
  if (const auto it = rooms_.find(room); it != rooms_.end()) {
    it->second->candidate(participant, candidate);
  }
}

void MediaWorker::request_sweep() {
  if (sweep_posted_) return;
  sweep_posted_ = true;
  post([this] { sweep(); });
}

void MediaWorker::sweep() {
  sweep_posted_ = false;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    it = it->second->sweep() ? rooms_.erase(it) : std::next(it);
  }
}

void MediaWorker::collect_counters() {
  for (auto& [name, room] : rooms_) room->collect_counters();
  if (!shutting_down_) {
    collect_timer_ = loop_.add_timer(kCollectPeriod, [this] { collect_counters(); });
  }
}

std::shared_future<void> MediaWorker::begin_shutdown() {
  if (!shutdown_begun_) {
    shutdown_begun_ = true;
    post([this] {
      shutting_down_ = true;
      collect_timer_.cancel();
      for (auto& [name, room] : rooms_) room->close_all();
      // close() only marks; free now, from this posted closure, outside any Peer callback.
      sweep();
      wait_for_agents();
    });
  }
  return stopped_future_;
}

void MediaWorker::wait_for_agents() {
  if (ice::NiceTransport::agents_alive() == 0) {
    stopped_.set_value();
    return;
  }
  agents_timer_ = loop_.add_timer(kAgentsPoll, [this] { wait_for_agents(); });
}

}  // namespace rrtc::engine
