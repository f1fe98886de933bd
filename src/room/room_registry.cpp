#include "room/room_registry.hpp"

#include <algorithm>
#include <utility>

namespace rrtc::room {

const Participant* Room::find(const std::string& participant_id) const {
  auto it = std::find_if(participants_.begin(), participants_.end(),
                         [&](const Participant& p) { return p.id == participant_id; });
  return it == participants_.end() ? nullptr : &*it;
}

Participant* Room::find_mutable(const std::string& participant_id) {
  return const_cast<Participant*>(std::as_const(*this).find(participant_id));
}

std::optional<JoinError> RoomRegistry::join(const std::string& room_id, Participant participant) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) {
    if (rooms_.size() >= limits_.max_rooms) return JoinError::too_many_rooms;
    if (limits_.max_participants_per_room == 0) return JoinError::room_full;
    it = rooms_.emplace(room_id, Room(room_id)).first;
  }
  Room& room = it->second;
  if (room.find(participant.id) != nullptr) return JoinError::duplicate_participant;
  if (room.participants_.size() >= limits_.max_participants_per_room) {
    return JoinError::room_full;
  }
  room.participants_.push_back(std::move(participant));
  room.empty_since_.reset();
  ++participant_count_;
  return std::nullopt;
}

bool RoomRegistry::leave(const std::string& room_id, const std::string& participant_id,
                         time::Timestamp now) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return false;
  auto& list = it->second.participants_;
  auto p = std::find_if(list.begin(), list.end(),
                        [&](const Participant& x) { return x.id == participant_id; });
  if (p == list.end()) return false;
  list.erase(p);
  --participant_count_;
  if (list.empty()) {
    if (limits_.empty_room_grace <= time::Duration::zero()) {
      rooms_.erase(it);
    } else {
      it->second.empty_since_ = now;
    }
  }
  return true;
}

std::optional<ParticipantState> RoomRegistry::update_state(const std::string& room_id,
                                                           const std::string& participant_id,
                                                           const StateChange& change) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end()) return std::nullopt;
  Participant* p = it->second.find_mutable(participant_id);
  if (p == nullptr) return std::nullopt;
  p->state = change.applied_to(p->state);
  return p->state;
}

std::vector<std::string> RoomRegistry::expire(time::Timestamp now) {
  std::vector<std::string> removed;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    const auto& since = it->second.empty_since_;
    if (since && now - *since >= limits_.empty_room_grace) {
      removed.push_back(it->first);
      it = rooms_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

std::optional<time::Timestamp> RoomRegistry::next_expiry() const {
  std::optional<time::Timestamp> next;
  for (const auto& [id, room] : rooms_) {
    if (!room.empty_since_) continue;
    auto due = *room.empty_since_ + limits_.empty_room_grace;
    if (!next || due < *next) next = due;
  }
  return next;
}

bool RoomRegistry::remove_empty(const std::string& room_id) {
  auto it = rooms_.find(room_id);
  if (it == rooms_.end() || !it->second.empty()) return false;
  rooms_.erase(it);
  return true;
}

const Room* RoomRegistry::find(const std::string& room_id) const {
  auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : &it->second;
}

}  // namespace rrtc::room
