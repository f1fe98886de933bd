#pragma once
// The admin API's JSON (docs/admin-api.md), both directions. Pure: parsing never throws and
// never logs; a bad body becomes an AdminBodyError carrying the 400 message.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "room/media_backend.hpp"
#include "room/participant.hpp"

namespace rrtc::signaling {

// Bounds of `POST /api/tokens`: one second to one year.
inline constexpr std::int64_t kMinTokenTtlSeconds = 1;
inline constexpr std::int64_t kMaxTokenTtlSeconds = 365LL * 24 * 3600;
inline constexpr std::int64_t kDefaultTokenTtlSeconds = 3600;

// ---- request bodies ----
// `POST .../mute`: {"track_id": "<id>-audio"} or {"type": "audio"|"camera"|"screen"}.
struct MuteTarget {
  std::optional<std::string> track_id;
  std::optional<room::TrackType> type;
};

// `POST /api/tokens`: {"room": R, "identity": I?, "ttl_seconds": N?}.
struct TokenRequest {
  std::string room;
  std::optional<std::string> identity;
  std::int64_t ttl_seconds = kDefaultTokenTtlSeconds;
};

template <class T>
struct AdminBody {
  std::optional<T> value;  // set on success
  std::string error;       // the 400 message otherwise
};

AdminBody<MuteTarget> parse_mute_body(std::string_view body);
AdminBody<TokenRequest> parse_token_body(std::string_view body);

// The track type a track id names: "<participant>-<type>" or "<participant>-<type>-<N>", as the
// server offers' a=msid name tracks (PROTOCOL.md v1.1). nullopt when it does not name one of
// `participant`'s tracks.
std::optional<room::TrackType> track_type_of(std::string_view track_id,
                                             std::string_view participant);

// ---- responses ----
struct AdminRoomSummary {
  std::string name;
  std::size_t participants = 0;
  std::optional<std::int64_t> created_at;  // Unix seconds; absent when not known
};

struct AdminParticipant {
  std::string id;
  std::string name;
  room::ParticipantState state;
  std::vector<room::PublishedTrackInfo> tracks;
};

struct AdminRoomDetail {
  std::string name;
  std::optional<std::int64_t> created_at;
  std::vector<AdminParticipant> participants;  // in join order
};

// {"error": {"code": <status>, "message": "..."}}
std::string admin_error_json(unsigned status, std::string_view message);
// {"rooms": [{"name", "participants", "created_at"?}, ...]}
std::string rooms_json(const std::vector<AdminRoomSummary>& rooms);
// The room with its participants, their state and tracks; each participant's counters from
// `stats` (matched by id; "stats": null when the media stack gave none for it) and each track's
// from the matching TrackStats (by track_id).
std::string room_json(const AdminRoomDetail& room,
                      const std::vector<room::ParticipantStats>& stats);
// {"room", "participant", "state": {...}}: the answer to a mute.
std::string participant_state_json(std::string_view room, std::string_view participant,
                                   const room::ParticipantState& state);
// {"token", "expires_at"}
std::string token_json(std::string_view token, std::int64_t expires_at);

}  // namespace rrtc::signaling
