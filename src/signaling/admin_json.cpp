#include "signaling/admin_json.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "signaling/messages.hpp"

namespace rrtc::signaling {

namespace json = boost::json;

namespace {

std::optional<json::object> parse_object(std::string_view body, std::string& error) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  json::value v = json::parse(body, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) {
    error = "request body must be a JSON object";
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::optional<room::TrackType> type_from_name(std::string_view name) {
  if (name == "audio") return room::TrackType::audio;
  if (name == "camera") return room::TrackType::camera;
  if (name == "screen") return room::TrackType::screen;
  return std::nullopt;
}

// A non-empty string of at most `max_bytes`; `error` names `key` otherwise.
std::optional<std::string> bounded_string(const json::value& v, std::string_view key,
                                          std::size_t max_bytes, std::string& error) {
  if (!v.is_string() || v.get_string().empty() || v.get_string().size() > max_bytes) {
    error = "'" + std::string(key) + "' must be a string of 1 to " + std::to_string(max_bytes) +
            " bytes";
    return std::nullopt;
  }
  return std::string(v.get_string());
}

json::object state_object(const room::ParticipantState& s) {
  return {{"muted", s.muted}, {"video_on", s.video_on}, {"screen_sharing", s.screen_sharing}};
}

const room::ParticipantStats* stats_for(const std::vector<room::ParticipantStats>& stats,
                                        const std::string& id) {
  for (const auto& s : stats) {
    if (s.participant == id) return &s;
  }
  return nullptr;
}

json::object track_object(const room::PublishedTrackInfo& track,
                          const room::ParticipantStats* stats) {
  json::object o{{"track_id", track.track_id},
                 {"mid", track.mid},
                 {"type", track_type_name(track.type)},
                 {"codec", track.codec}};
  if (stats == nullptr) return o;
  for (const auto& t : stats->tracks) {
    if (t.track.track_id != track.track_id) continue;
    o["forwarding"] = t.forwarding;
    o["packets"] = t.packets;
    o["bytes"] = t.bytes;
  }
  return o;
}

}  // namespace

AdminBody<MuteTarget> parse_mute_body(std::string_view body) {
  AdminBody<MuteTarget> result;
  auto o = parse_object(body, result.error);
  if (!o) return result;
  const json::value* track_id = o->if_contains("track_id");
  const json::value* type = o->if_contains("type");
  if ((track_id == nullptr) == (type == nullptr)) {
    result.error = "give exactly one of 'track_id' and 'type'";
    return result;
  }
  MuteTarget target;
  if (track_id != nullptr) {
    target.track_id = bounded_string(*track_id, "track_id", kMaxIdBytes + 32, result.error);
    if (!target.track_id) return result;
  } else {
    if (type->is_string()) target.type = type_from_name(type->get_string());
    if (!target.type) {
      result.error = "'type' must be \"audio\", \"camera\" or \"screen\"";
      return result;
    }
  }
  result.value = std::move(target);
  return result;
}

AdminBody<TokenRequest> parse_token_body(std::string_view body) {
  AdminBody<TokenRequest> result;
  auto o = parse_object(body, result.error);
  if (!o) return result;
  TokenRequest request;
  const json::value* room = o->if_contains("room");
  if (room == nullptr) {
    result.error = "'room' is required";
    return result;
  }
  auto room_name = bounded_string(*room, "room", kMaxIdBytes, result.error);
  if (!room_name) return result;
  request.room = std::move(*room_name);
  if (const json::value* identity = o->if_contains("identity");
      identity != nullptr && !identity->is_null()) {
    request.identity = bounded_string(*identity, "identity", kMaxIdBytes, result.error);
    if (!request.identity) return result;
  }
  if (const json::value* ttl = o->if_contains("ttl_seconds"); ttl != nullptr && !ttl->is_null()) {
    // Whole seconds: 3600 or 3600.0, never 1.5 or "3600".
    std::optional<std::int64_t> seconds;
    if (ttl->is_int64()) seconds = ttl->get_int64();
    if (ttl->is_uint64() && ttl->get_uint64() <= std::uint64_t(kMaxTokenTtlSeconds)) {
      seconds = static_cast<std::int64_t>(ttl->get_uint64());
    }
    if (ttl->is_double()) {
      double d = ttl->get_double();
      // Range first: casting a double outside int64 is undefined.
      if (d >= double(kMinTokenTtlSeconds) && d <= double(kMaxTokenTtlSeconds) &&
          d == std::floor(d)) {
        seconds = static_cast<std::int64_t>(d);
      }
    }
    if (!seconds || *seconds < kMinTokenTtlSeconds || *seconds > kMaxTokenTtlSeconds) {
      result.error = "'ttl_seconds' must be a whole number of seconds from " +
                     std::to_string(kMinTokenTtlSeconds) + " to " +
                     std::to_string(kMaxTokenTtlSeconds);
      return result;
    }
    request.ttl_seconds = *seconds;
  }
  result.value = std::move(request);
  return result;
}

std::optional<room::TrackType> track_type_of(std::string_view track_id,
                                             std::string_view participant) {
  if (track_id.size() <= participant.size() + 1 || !track_id.starts_with(participant) ||
      track_id[participant.size()] != '-') {
    return std::nullopt;
  }
  std::string_view rest = track_id.substr(participant.size() + 1);
  std::string_view type = rest.substr(0, rest.find('-'));
  if (type.size() < rest.size()) {
    std::string_view index = rest.substr(type.size() + 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
  }
  return type_from_name(type);
}

std::string admin_error_json(unsigned status, std::string_view message) {
  return json::serialize(
      json::object{{"error", json::object{{"code", status}, {"message", message}}}});
}

std::string rooms_json(const std::vector<AdminRoomSummary>& rooms) {
  json::array list;
  for (const auto& r : rooms) {
    json::object o{{"name", r.name}, {"participants", r.participants}};
    if (r.created_at) o["created_at"] = *r.created_at;
    list.push_back(std::move(o));
  }
  return json::serialize(json::object{{"rooms", std::move(list)}});
}

std::string room_json(const AdminRoomDetail& room,
                      const std::vector<room::ParticipantStats>& stats) {
  json::array participants;
  for (const auto& p : room.participants) {
    const room::ParticipantStats* s = stats_for(stats, p.id);
    json::array tracks;
    for (const auto& t : p.tracks) tracks.push_back(track_object(t, s));
    json::value counters = nullptr;
    if (s != nullptr) {
      counters = json::object{{"connected", s->connected},
                              {"packets_received", s->packets_received},
                              {"bytes_received", s->bytes_received},
                              {"packets_sent", s->packets_sent},
                              {"bytes_sent", s->bytes_sent}};
    }
    participants.push_back(json::object{{"id", p.id},
                                        {"name", p.name},
                                        {"state", state_object(p.state)},
                                        {"tracks", std::move(tracks)},
                                        {"stats", std::move(counters)}});
  }
  json::object o{{"name", room.name}, {"participants", std::move(participants)}};
  if (room.created_at) o["created_at"] = *room.created_at;
  return json::serialize(o);
}

std::string participant_state_json(std::string_view room, std::string_view participant,
                                   const room::ParticipantState& state) {
  return json::serialize(
      json::object{{"room", room}, {"participant", participant}, {"state", state_object(state)}});
}

std::string token_json(std::string_view token, std::int64_t expires_at) {
  return json::serialize(json::object{{"token", token}, {"expires_at", expires_at}});
}

}  // namespace rrtc::signaling
