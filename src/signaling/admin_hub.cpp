// The Hub's admin operations (hub.hpp, "admin API"): what the HTTP endpoints of admin_api.cpp
// do to rooms and participants. Signaling thread only, like the rest of the Hub.
#include <boost/asio/post.hpp>

#include "log/log.hpp"
#include "signaling/hub.hpp"
#include "signaling/websocket_session.hpp"

namespace rrtc::signaling {

namespace websocket = boost::beast::websocket;

namespace {

spdlog::logger& logger() {
  static spdlog::logger& l = rrtc::log::get("signaling");
  return l;
}

std::optional<std::int64_t> unix_seconds(
    const std::map<std::string, std::chrono::system_clock::time_point>& created,
    const std::string& room) {
  auto it = created.find(room);
  if (it == created.end()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(it->second.time_since_epoch()).count();
}

}  // namespace

std::vector<AdminRoomSummary> Hub::admin_rooms() const {
  std::vector<AdminRoomSummary> rooms;
  rooms.reserve(registry_.room_count());
  for (const auto& [id, room] : registry_.rooms()) {
    rooms.push_back({id, room.participants().size(), unix_seconds(room_created_, id)});
  }
  return rooms;
}

std::optional<AdminRoomDetail> Hub::admin_room(const std::string& room_id) const {
  const room::Room* room = registry_.find(room_id);
  if (room == nullptr) return std::nullopt;
  AdminRoomDetail detail;
  detail.name = room_id;
  detail.created_at = unix_seconds(room_created_, room_id);
  for (const auto& p : room->participants()) {
    detail.participants.push_back({p.id, p.name, p.state, published_tracks(room_id, p.id)});
  }
  return detail;
}

void Hub::admin_room_stats(const std::string& room,
                           std::function<void(std::vector<room::ParticipantStats>)> done) {
  if (media_ == nullptr) return done({});
  // The backend calls back on its worker's thread: hop back here, and only if we still exist.
  media_->query_room(room, [weak = weak_from_this(), done = std::move(done)](
                               std::vector<room::ParticipantStats> stats) mutable {
    auto self = weak.lock();
    if (!self) return;
    boost::asio::post(self->ioc_,
                      [weak, done = std::move(done), stats = std::move(stats)]() mutable {
                        if (weak.lock()) done(std::move(stats));
                      });
  });
}

Hub::AdminOutcome Hub::admin_remove(const std::string& room, const std::string& participant) {
  auto it = members_.find({room, participant});
  if (it == members_.end()) {
    return registry_.find(room) == nullptr ? AdminOutcome::no_room : AdminOutcome::no_participant;
  }
  logger().info("admin API: removing {} from room {} ({})", participant, room,
                it->second->address());
  // The HTTP answer comes after the others were told (remove_member leaves at once).
  remove_member(*it->second, ErrorCode::forbidden, "removed by the server",
                websocket::close_code::policy_error);
  return AdminOutcome::done;
}

Hub::AdminOutcome Hub::admin_mute(const std::string& room, const std::string& participant,
                                  const MuteTarget& target, room::ParticipantState& state) {
  const room::Room* r = registry_.find(room);
  if (r == nullptr) return AdminOutcome::no_room;
  const room::Participant* p = r->find(participant);
  if (p == nullptr) return AdminOutcome::no_participant;
  std::optional<room::TrackType> type = target.type;
  if (target.track_id) {
    for (const auto& track : published_tracks(room, participant)) {
      if (track.track_id == *target.track_id) type = track.type;
    }
    // Not reported (yet, or no media stack): the id still names the type, as server offers
    // name tracks.
    if (!type) type = track_type_of(*target.track_id, participant);
    if (!type) return AdminOutcome::no_track;
  }
  room::StateChange change;
  switch (*type) {
    case room::TrackType::audio:
      change.muted = true;
      break;
    case room::TrackType::camera:
      change.video_on = false;
      break;
    case room::TrackType::screen:
      change.screen_sharing = false;
      break;
  }
  const room::ParticipantState before = p->state;
  state = *registry_.update_state(room, participant, change);
  if (state == before) return AdminOutcome::done;  // already off: nothing to tell anyone
  logger().info("admin API: muted {} of {} in room {}", track_type_name(*type), participant, room);
  // Everyone, the participant included: its client learns that the server turned it off.
  broadcast(room, {}, "state_update", state_update_json(participant, state));
  if (media_ != nullptr) media_->submit({room, participant, room::request::State{state}});
  return AdminOutcome::done;
}

std::optional<std::size_t> Hub::admin_close_room(const std::string& room_id) {
  const room::Room* room = registry_.find(room_id);
  if (room == nullptr) return std::nullopt;
  std::vector<ClientSession*> sessions;
  for (const auto& p : room->participants()) {
    auto it = members_.find({room_id, p.id});
    if (it != members_.end()) sessions.push_back(it->second);
  }
  logger().info("admin API: closing room {} ({} participants)", room_id, sessions.size());
  // Tell and close everyone first: a closing session sends nothing more, so nobody gets the
  // participant_left of the others leaving below.
  for (ClientSession* session : sessions) {
    send_error(*session, ErrorCode::forbidden, "room closed by the server", false);
    session->close(websocket::close_code::policy_error);
  }
  for (ClientSession* session : sessions) leave_room(*session);
  // An empty room would otherwise wait out empty_room_grace.
  if (registry_.remove_empty(room_id)) emit(RoomEventKind::room_finished, room_id);
  return sessions.size();
}

}  // namespace rrtc::signaling
