#include "engine/worker.hpp"

#include <iterator>
#include <memory>
#include <variant>

namespace rrtc::engine {

Worker::Worker(io::EventLoop& loop, transport::PeerFactory& peers, const MediaLimits& limits)
    : context_{loop, peers, limits, counters_, nullptr, nullptr, [this] { request_sweep(); }} {}

Worker::~Worker() { rooms_.clear(); }

void Worker::set_channel(std::shared_ptr<room::SignalingChannel> channel) {
  context_.channel = std::move(channel);
}

MediaRoom* Worker::find(const std::string& room) {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? nullptr : it->second.get();
}

std::vector<room::ParticipantStats> Worker::room_stats(const std::string& room) {
  auto* found = find(room);
  return found == nullptr ? std::vector<room::ParticipantStats>{} : found->stats();
}

void Worker::handle(room::MediaRequest request) {
  if (closed_) return;
  auto* room = find(request.room);
  if (room == nullptr) {
    if (!std::holds_alternative<room::request::Join>(request.command)) return;
    room = rooms_.emplace(request.room, std::make_unique<MediaRoom>(context_, request.room))
               .first->second.get();
  }
  room->handle(request);
}

void Worker::close_all() {
  closed_ = true;
  for (auto& [name, room] : rooms_) room->close_all();
  // close() only marks; this runs from a posted closure or the owner, outside any Peer callback.
  sweep();
}

void Worker::collect_counters() {
  for (auto& [name, room] : rooms_) room->collect_counters();
}

void Worker::request_sweep() {
  if (sweep_posted_) return;
  sweep_posted_ = true;
  context_.loop.post([this, alive = std::weak_ptr<const int>(alive_)] {
    if (alive.lock()) sweep();
  });
}

void Worker::sweep() {
  sweep_posted_ = false;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    it = it->second->sweep() ? rooms_.erase(it) : std::next(it);
  }
}

}  // namespace rrtc::engine
