#pragma once
// The room membership model: which rooms exist, who is in each, and when an empty room goes.
// Pure: no clock (every call that can create or expire a room takes `now`, media time from
// time/media_time.hpp, which the signaling thread reads), no I/O, no logging.
// Not thread-safe: the signaling thread owns the one instance.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "room/participant.hpp"
#include "time/media_time.hpp"

namespace rrtc::room {

struct RegistryLimits {
  std::size_t max_rooms = 10000;
  std::size_t max_participants_per_room = 50;
  time::Duration empty_room_grace{0};  // how long an empty room lingers; 0 = removed at once
};

enum class JoinError {
  room_full,              // max_participants_per_room reached
  duplicate_participant,  // that id is already in the room
  too_many_rooms,         // the room does not exist and max_rooms rooms do
};

class Room {
 public:
  explicit Room(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }
  // In join order.
  const std::vector<Participant>& participants() const { return participants_; }
  const Participant* find(const std::string& participant_id) const;
  bool empty() const { return participants_.empty(); }
  // Set while the room is empty and waiting out its grace period.
  std::optional<time::Timestamp> empty_since() const { return empty_since_; }

 private:
  friend class RoomRegistry;
  Participant* find_mutable(const std::string& participant_id);

  std::string id_;
  std::vector<Participant> participants_;
  std::optional<time::Timestamp> empty_since_;
};

class RoomRegistry {
 public:
  explicit RoomRegistry(RegistryLimits limits) : limits_(limits) {}

  // Adds `participant` to room `room_id`, creating the room on first join. nullopt = joined.
  std::optional<JoinError> join(const std::string& room_id, Participant participant);
  // Removes the participant; false if it was not there. An emptied room is removed at once when
  // the grace period is zero, else it waits for expire().
  bool leave(const std::string& room_id, const std::string& participant_id, time::Timestamp now);
  // Applies `change` and returns the participant's new state, or nullopt if it is not there.
  std::optional<ParticipantState> update_state(const std::string& room_id,
                                               const std::string& participant_id,
                                               const StateChange& change);
  // Removes the rooms that have been empty for the whole grace period; returns their ids.
  std::vector<std::string> expire(time::Timestamp now);
  // When the next empty room falls due, if any.
  std::optional<time::Timestamp> next_expiry() const;

  const Room* find(const std::string& room_id) const;
  // Every room by id (the admin API lists them).
  const std::map<std::string, Room>& rooms() const { return rooms_; }
  // Removes an empty room now, grace period or not (the admin API closed it); false if the room
  // does not exist or still has participants.
  bool remove_empty(const std::string& room_id);
  std::size_t room_count() const { return rooms_.size(); }
  std::size_t participant_count() const { return participant_count_; }
  const RegistryLimits& limits() const { return limits_; }

 private:
  RegistryLimits limits_;
  std::map<std::string, Room> rooms_;
  std::size_t participant_count_ = 0;
};

}  // namespace rrtc::room
