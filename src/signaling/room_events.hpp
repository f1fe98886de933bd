#pragma once
// What happens in rooms, as the Hub sees it on the signaling thread: the events webhooks
// deliver (docs/webhooks.md). The Hub calls its sink synchronously; a sink must not block.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "room/media_backend.hpp"

namespace rrtc::signaling {

enum class RoomEventKind {
  room_started,       // the first participant joined a room that did not exist
  room_finished,      // the room is gone (its last participant left, after the grace period)
  participant_joined,
  participant_left,   // left, disconnected, timed out or was removed
  track_published,    // the media stack reports a new published track
  track_unpublished,  // a published track is gone (unpublished, or its participant left)
};

std::string_view to_string(RoomEventKind kind);

struct RoomEvent {
  RoomEventKind kind = RoomEventKind::room_started;
  std::string room;
  std::string participant;  // empty for room events
  std::string name;         // participant_joined: the display name
  std::optional<room::PublishedTrackInfo> track;  // track events
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

using RoomEventSink = std::function<void(const RoomEvent&)>;

}  // namespace rrtc::signaling
