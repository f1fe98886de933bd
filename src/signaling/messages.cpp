#include "signaling/messages.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace rrtc::signaling {
namespace json = boost::json;

namespace {

// Reads typed fields from one message object, remembering the first problem.
class FieldReader {
 public:
  explicit FieldReader(const json::object& object) : object_(object) {}

  // A string field: absent (or null) leaves `out` empty and is an error only when required.
  void string(std::string_view key, bool required, std::size_t max_bytes,
              std::optional<std::string>& out) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(std::string("missing field '") + std::string(key) + "'");
      return;
    }
    if (!v->is_string())
      return fail(std::string("field '") + std::string(key) + "' must be a string");
    const json::string& s = v->get_string();
    if (s.size() > max_bytes) {
      return fail(std::string("field '") + std::string(key) + "' is longer than " +
                  std::to_string(max_bytes) + " bytes");
    }
    out = std::string(s.data(), s.size());
  }

  void boolean(std::string_view key, std::optional<bool>& out) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    if (!v->is_bool())
      return fail(std::string("field '") + std::string(key) + "' must be a boolean");
    out = v->get_bool();
  }

  void index(std::string_view key, std::optional<std::uint16_t>& out) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= 0xFFFF) {
      out = static_cast<std::uint16_t>(v->get_int64());
    } else if (v->is_uint64() && v->get_uint64() <= 0xFFFF) {
      out = static_cast<std::uint16_t>(v->get_uint64());
    } else {
      fail(std::string("field '") + std::string(key) + "' must be an integer from 0 to 65535");
    }
  }

  // A non-negative integer up to `max` (JSON numbers with a fraction or an exponent that parse
  // as doubles are refused: a size or rate is counted in whole units).
  void bounded(std::string_view key, std::uint32_t max, std::optional<std::uint32_t>& out) {
    const json::value* v = object_.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= max) {
      out = static_cast<std::uint32_t>(v->get_int64());
    } else if (v->is_uint64() && v->get_uint64() <= max) {
      out = static_cast<std::uint32_t>(v->get_uint64());
    } else {
      fail(std::string("field '") + std::string(key) + "' must be an integer from 0 to " +
           std::to_string(max));
    }
  }

  void fail(std::string message) {
    if (!error_) error_ = std::move(message);
  }
  const std::optional<std::string>& error() const { return error_; }

 private:
  const json::object& object_;
  std::optional<std::string> error_;
};

std::optional<room::TrackType> parse_track_type(std::string_view s) {
  if (s == "audio") return room::TrackType::audio;
  if (s == "camera") return room::TrackType::camera;
  if (s == "screen") return room::TrackType::screen;
  return std::nullopt;
}

void read_tracks(const json::object& object, FieldReader& reader,
                 std::optional<std::vector<room::TrackInfo>>& out) {
  const json::value* v = object.if_contains("tracks");
  if (v == nullptr || v->is_null()) return;
  if (!v->is_array()) return reader.fail("field 'tracks' must be an array");
  const json::array& array = v->get_array();
  if (array.size() > kMaxTracks) {
    return reader.fail("field 'tracks' has more than " + std::to_string(kMaxTracks) + " entries");
  }
  std::vector<room::TrackInfo> tracks;
  for (const json::value& entry : array) {
    if (!entry.is_object()) return reader.fail("each 'tracks' entry must be an object");
    FieldReader r(entry.get_object());
    std::optional<std::string> mid, type;
    r.string("mid", true, kMaxMidBytes, mid);
    r.string("type", true, 16, type);
    if (r.error()) return reader.fail("tracks: " + *r.error());
    auto kind = parse_track_type(*type);
    if (!kind) return reader.fail("tracks: 'type' must be audio, camera or screen");
    tracks.push_back({std::move(*mid), *kind});
  }
  out = std::move(tracks);
}

std::optional<ClientMessage> read_message(std::string_view type, const json::object& object,
                                          FieldReader& r) {
  if (type == "join") {
    JoinMessage m;
    std::optional<std::string> room;
    r.string("room", true, kMaxIdBytes, room);
    r.string("participant", false, kMaxIdBytes, m.participant);
    r.string("name", false, kMaxNameBytes, m.name);
    r.string("token", false, kMaxTokenBytes, m.token);
    if (room && room->empty()) r.fail("field 'room' must not be empty");
    if (m.participant && m.participant->empty()) r.fail("field 'participant' must not be empty");
    if (r.error()) return std::nullopt;
    m.room = std::move(*room);
    return m;
  }
  if (type == "offer" || type == "answer") {
    std::optional<std::string> sdp;
    r.string("sdp", true, kMaxSdpBytes, sdp);
    if (sdp && sdp->empty()) r.fail("field 'sdp' must not be empty");
    if (type == "answer") {
      if (r.error()) return std::nullopt;
      return AnswerMessage{std::move(*sdp)};
    }
    OfferMessage m;
    read_tracks(object, r, m.tracks);
    if (r.error()) return std::nullopt;
    m.sdp = std::move(*sdp);
    return m;
  }
  if (type == "candidate") {
    std::optional<std::string> line;
    CandidateMessage m;
    r.string("candidate", true, kMaxCandidateBytes, line);
    r.string("sdpMid", false, kMaxMidBytes, m.candidate.sdp_mid);
    r.index("sdpMLineIndex", m.candidate.sdp_mline_index);
    if (r.error()) return std::nullopt;
    std::string_view text = *line;
    if (text.substr(0, 2) == "a=") text.remove_prefix(2);
    m.candidate.candidate = std::string(text);
    return m;
  }
  if (type == "state_update") {
    StateUpdateMessage m;
    r.boolean("muted", m.change.muted);
    r.boolean("video_on", m.change.video_on);
    r.boolean("screen_sharing", m.change.screen_sharing);
    if (r.error()) return std::nullopt;
    return m;
  }
  if (type == "start_screen_share") return StartScreenShareMessage{};
  if (type == "stop_screen_share") return StopScreenShareMessage{};
  if (type == "leave") return LeaveMessage{};
  if (type == "track_settings") {
    TrackSettingsMessage m;
    std::optional<std::string> track_id;
    r.string("track_id", true, kMaxTrackIdBytes, track_id);
    if (track_id && track_id->empty()) r.fail("field 'track_id' must not be empty");
    r.boolean("paused", m.update.paused);
    r.bounded("max_width", kMaxTrackSize, m.update.max_width);
    r.bounded("max_height", kMaxTrackSize, m.update.max_height);
    r.bounded("max_fps", kMaxTrackFps, m.update.max_fps);
    if (r.error()) return std::nullopt;
    m.update.track_id = std::move(*track_id);
    return m;
  }
  r.fail("unknown message type '" + std::string(type) + "'");
  return std::nullopt;
}

std::string to_text(const json::object& object) { return json::serialize(object); }

json::object state_fields(const room::ParticipantState& s) {
  return {{"muted", s.muted}, {"video_on", s.video_on}, {"screen_sharing", s.screen_sharing}};
}

}  // namespace

ParseResult parse_client_message(std::string_view text) {
  ParseResult result;
  json::parse_options options;
  options.max_depth = 16;  // our messages nest 3 deep; refuse deeper input before it costs stack
  boost::system::error_code ec;
  json::value value = json::parse(text, ec, json::storage_ptr(), options);
  if (ec) {
    result.error = {ErrorCode::bad_request, "malformed JSON: " + ec.message()};
    return result;
  }
  if (!value.is_object()) {
    result.error = {ErrorCode::bad_request, "a message must be a JSON object"};
    return result;
  }
  const json::object& object = value.get_object();
  FieldReader reader(object);
  std::optional<std::string> type;
  reader.string("type", true, 64, type);
  if (reader.error()) {
    result.error = {ErrorCode::bad_request, *reader.error()};
    return result;
  }
  result.type = *type;
  result.message = read_message(*type, object, reader);
  if (!result.message) result.error = {ErrorCode::bad_request, reader.error().value_or("invalid")};
  return result;
}

std::string_view type_name(const ClientMessage& message) {
  static constexpr std::string_view kNames[] = {"join",
                                                "offer",
                                                "answer",
                                                "candidate",
                                                "state_update",
                                                "start_screen_share",
                                                "stop_screen_share",
                                                "leave",
                                                "track_settings"};
  return kNames[message.index()];
}

std::string_view track_type_name(room::TrackType type) {
  switch (type) {
    case room::TrackType::audio:
      return "audio";
    case room::TrackType::camera:
      return "camera";
    case room::TrackType::screen:
      return "screen";
  }
  return "audio";
}

std::string to_json(const ClientMessage& message) {
  json::object o;
  o["type"] = type_name(message);
  std::visit(
      [&o](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, JoinMessage>) {
          o["room"] = m.room;
          if (m.participant) o["participant"] = *m.participant;
          if (m.name) o["name"] = *m.name;
          if (m.token) o["token"] = *m.token;
        } else if constexpr (std::is_same_v<T, OfferMessage>) {
          o["sdp"] = m.sdp;
          if (m.tracks) {
            json::array tracks;
            for (const auto& t : *m.tracks) {
              tracks.push_back(json::object{{"mid", t.mid}, {"type", track_type_name(t.type)}});
            }
            o["tracks"] = std::move(tracks);
          }
        } else if constexpr (std::is_same_v<T, AnswerMessage>) {
          o["sdp"] = m.sdp;
        } else if constexpr (std::is_same_v<T, CandidateMessage>) {
          // The parser strips one "a=" prefix; keep a literal one alive through the round trip.
          const std::string& c = m.candidate.candidate;
          o["candidate"] = c.rfind("a=", 0) == 0 ? "a=" + c : c;
          if (m.candidate.sdp_mid) o["sdpMid"] = *m.candidate.sdp_mid;
          if (m.candidate.sdp_mline_index) o["sdpMLineIndex"] = *m.candidate.sdp_mline_index;
        } else if constexpr (std::is_same_v<T, StateUpdateMessage>) {
          if (m.change.muted) o["muted"] = *m.change.muted;
          if (m.change.video_on) o["video_on"] = *m.change.video_on;
          if (m.change.screen_sharing) o["screen_sharing"] = *m.change.screen_sharing;
        } else if constexpr (std::is_same_v<T, TrackSettingsMessage>) {
          const auto& u = m.update;
          o["track_id"] = u.track_id;
          if (u.paused) o["paused"] = *u.paused;
          if (u.max_width) o["max_width"] = *u.max_width;
          if (u.max_height) o["max_height"] = *u.max_height;
          if (u.max_fps) o["max_fps"] = *u.max_fps;
        }
      },
      message);
  return to_text(o);
}

std::string joined_json(std::string_view your_id, std::string_view room,
                        const std::vector<ParticipantInfo>& others,
                        const std::vector<IceServer>& ice_servers) {
  json::array participants;
  for (const auto& p : others) {
    json::object entry = state_fields(p.state);
    entry["id"] = p.id;
    entry["name"] = p.name;
    participants.push_back(std::move(entry));
  }
  json::array servers;
  for (const auto& s : ice_servers) {
    json::object entry;
    json::array urls;
    for (const auto& u : s.urls) urls.push_back(json::string(u));
    entry["urls"] = std::move(urls);
    if (!s.username.empty()) entry["username"] = s.username;
    if (!s.credential.empty()) entry["credential"] = s.credential;
    servers.push_back(std::move(entry));
  }
  return to_text({{"type", "joined"},
                  {"your_id", your_id},
                  {"room", room},
                  {"participants", std::move(participants)},
                  {"ice_servers", std::move(servers)}});
}

std::string participant_joined_json(const ParticipantInfo& newcomer) {
  json::object o = state_fields(newcomer.state);
  o["type"] = "participant_joined";
  o["id"] = newcomer.id;
  o["name"] = newcomer.name;
  return to_text(o);
}

std::string participant_left_json(std::string_view participant_id) {
  return to_text({{"type", "participant_left"}, {"participant_id", participant_id}});
}

std::string state_update_json(std::string_view participant_id, const room::ParticipantState& s) {
  json::object o = state_fields(s);
  o["type"] = "state_update";
  o["participant_id"] = participant_id;
  return to_text(o);
}

std::string active_speakers_json(const std::vector<room::SpeakerLevel>& speakers) {
  json::array list;
  list.reserve(speakers.size());
  for (const auto& speaker : speakers) {
    const double level = std::round(std::clamp(speaker.level, 0.0, 1.0) * 100) / 100;
    list.push_back(json::object{{"participant_id", speaker.participant}, {"level", level}});
  }
  return to_text({{"type", "active_speakers"}, {"speakers", std::move(list)}});
}

namespace {
std::string_view pause_reason(room::StreamPause pause) {
  switch (pause) {
    case room::StreamPause::requested:
      return "requested";
    case room::StreamPause::bandwidth:
      return "bandwidth";
    case room::StreamPause::publisher:
      return "publisher";
    case room::StreamPause::none:
      break;
  }
  return "";
}
}  // namespace

std::string stream_state_json(const room::StreamState& state) {
  json::object o{{"type", "stream_state"}, {"track_id", state.track_id}};
  if (state.paused == room::StreamPause::none) {
    o["state"] = "active";
  } else {
    o["state"] = "paused";
    o["reason"] = pause_reason(state.paused);
  }
  if (state.width != 0 && state.height != 0) {
    o["width"] = state.width;
    o["height"] = state.height;
  }
  return to_text(o);
}

std::string publish_layers_json(std::string_view mid, const std::vector<std::string>& active) {
  json::array rids;
  rids.reserve(active.size());
  for (const auto& rid : active) rids.push_back(json::string(rid));
  return to_text({{"type", "publish_layers"}, {"mid", mid}, {"active", std::move(rids)}});
}

std::string sdp_json(std::string_view type, std::string_view sdp) {
  return to_text({{"type", type}, {"sdp", sdp}});
}

std::string candidate_json(const room::IceCandidate& c) {
  json::object o{{"type", "candidate"}, {"candidate", c.candidate}};
  o["sdpMid"] = c.sdp_mid ? json::value(*c.sdp_mid) : json::value(nullptr);
  o["sdpMLineIndex"] = c.sdp_mline_index ? json::value(*c.sdp_mline_index) : json::value(nullptr);
  return to_text(o);
}

std::string error_json(ErrorCode code, std::string_view message) {
  return to_text({{"type", "error"}, {"message", message}, {"code", static_cast<int>(code)}});
}

}  // namespace rrtc::signaling
