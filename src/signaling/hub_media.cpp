// The Hub's side of the media seam (SignalingChannel calls, posted onto the signaling thread by
// MediaChannel) and the room events it emits (webhooks) and keeps (the admin API).
#include <algorithm>

#include "signaling/hub.hpp"
#include "signaling/websocket_session.hpp"

namespace rrtc::signaling {

namespace websocket = boost::beast::websocket;

void Hub::media_send(const std::string& room, const std::string& participant, std::string_view type,
                     std::string text) {
  auto it = members_.find({room, participant});
  if (it == members_.end()) return;
  send(*it->second, type, std::make_shared<const std::string>(std::move(text)));
}

void Hub::media_reject(const std::string& room, const std::string& participant,
                       std::string_view message, ErrorCode code) {
  auto it = members_.find({room, participant});
  if (it == members_.end()) return;
  send_error(*it->second, code, message);
}

void Hub::media_remove(const std::string& room, const std::string& participant,
                       std::string_view reason, ErrorCode code) {
  auto it = members_.find({room, participant});
  if (it == members_.end()) return;
  remove_member(*it->second, code, reason,
                code == ErrorCode::internal              ? websocket::close_code::internal_error
                : code == ErrorCode::service_unavailable ? websocket::close_code::try_again_later
                                                         : websocket::close_code::policy_error);
}

void Hub::remove_member(ClientSession& session, ErrorCode code, std::string_view message,
                        websocket::close_code close_code) {
  send_error(session, code, message, false);
  leave_room(session);
  session.close(close_code);
}

void Hub::media_tracks(const std::string& room, const std::string& participant,
                       std::vector<room::PublishedTrackInfo> tracks) {
  // A report racing the participant's leave is late: it has no tracks any more.
  if (members_.find({room, participant}) == members_.end()) return;
  auto& known = tracks_[{room, participant}];
  const auto listed = [](const std::vector<room::PublishedTrackInfo>& list,
                         const room::PublishedTrackInfo& track) {
    return std::any_of(list.begin(), list.end(), [&](const room::PublishedTrackInfo& t) {
      return t.track_id == track.track_id;
    });
  };
  for (const auto& track : known) {
    if (!listed(tracks, track)) emit(RoomEventKind::track_unpublished, room, participant, {}, track);
  }
  for (const auto& track : tracks) {
    if (!listed(known, track)) emit(RoomEventKind::track_published, room, participant, {}, track);
  }
  if (tracks.empty()) {
    tracks_.erase({room, participant});
  } else {
    known = std::move(tracks);
  }
}

void Hub::media_speakers(const std::string& room, const std::vector<room::SpeakerLevel>& speakers) {
  if (registry_.find(room) == nullptr) return;
  auto text = active_speakers_json(speakers);
  if (speakers.empty()) {
    speakers_.erase(room);
  } else {
    speakers_[room] = std::make_shared<const std::string>(text);
  }
  broadcast(room, {}, "active_speakers", text);
}

const std::vector<room::PublishedTrackInfo>& Hub::published_tracks(
    const std::string& room, const std::string& participant) const {
  static const std::vector<room::PublishedTrackInfo> kNone;
  auto it = tracks_.find({room, participant});
  return it == tracks_.end() ? kNone : it->second;
}

void Hub::emit(RoomEventKind kind, const std::string& room, const std::string& participant,
               std::string name, std::optional<room::PublishedTrackInfo> track) {
  // Room lifetimes for the admin API's created_at, whether or not webhooks listen.
  if (kind == RoomEventKind::room_started) {
    room_created_[room] = std::chrono::system_clock::now();
  } else if (kind == RoomEventKind::room_finished) {
    room_created_.erase(room);
    speakers_.erase(room);
    if (cluster_) cluster_room_finished(room);
  }
  if (!event_sink_) return;
  RoomEvent event;
  event.kind = kind;
  event.room = room;
  event.participant = participant;
  event.name = std::move(name);
  event.track = std::move(track);
  event_sink_(event);
}

}  // namespace rrtc::signaling
