#include "signaling/room_events.hpp"

namespace rrtc::signaling {

std::string_view to_string(RoomEventKind kind) {
  switch (kind) {
    case RoomEventKind::room_started:
      return "room_started";
    case RoomEventKind::room_finished:
      return "room_finished";
    case RoomEventKind::participant_joined:
      return "participant_joined";
    case RoomEventKind::participant_left:
      return "participant_left";
    case RoomEventKind::track_published:
      return "track_published";
    case RoomEventKind::track_unpublished:
      break;
  }
  return "track_unpublished";
}

}  // namespace rrtc::signaling
