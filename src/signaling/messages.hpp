#pragma once
// The JSON messages of PROTOCOL.md as typed values, both directions. Pure: parsing never throws
// and never logs; bad input becomes a ParseError carrying the `error` code to send back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "room/media_backend.hpp"
#include "room/participant.hpp"
#include "signaling/server_options.hpp"

namespace rrtc::signaling {

// The `code` values of PROTOCOL.md's `error` message.
enum class ErrorCode : int {
  bad_request = 400,
  unauthorized = 401,
  forbidden = 403,
  request_timeout = 408,  // join or message deadline passed; the connection is closed
  conflict = 409,
  too_large = 413,
  too_many_requests = 429,
  internal = 500,
  service_unavailable = 503,  // a server-wide cap (max_participants) is reached
};

// Bounds on client-supplied strings (bytes). Every peer-facing input is bounded.
inline constexpr std::size_t kMaxIdBytes = 128;          // room, participant
inline constexpr std::size_t kMaxNameBytes = 256;        // display name
inline constexpr std::size_t kMaxTokenBytes = 4096;      // join token
inline constexpr std::size_t kMaxSdpBytes = 64 * 1024;   // offer / answer sdp
inline constexpr std::size_t kMaxCandidateBytes = 2048;  // one ICE candidate line
inline constexpr std::size_t kMaxTracks = 64;            // offer `tracks` entries
inline constexpr std::size_t kMaxMidBytes = 64;          // mid / sdpMid
// A v1.1 track id: "<participant>-<type>[-N]", a participant id and at most 32 bytes more.
inline constexpr std::size_t kMaxTrackIdBytes = kMaxIdBytes + 32;
// track_settings bounds: a VP8/VP9/AV1 frame is at most 16384 pixels a side (VP8 codes 14 bits);
// no display refreshes faster than 240 Hz. Larger values are client bugs, answered with 400.
inline constexpr std::uint32_t kMaxTrackSize = 16384;
inline constexpr std::uint32_t kMaxTrackFps = 240;

// ---- client -> server ----
struct JoinMessage {
  std::string room;
  std::optional<std::string> participant;
  std::optional<std::string> name;
  std::optional<std::string> token;
  friend bool operator==(const JoinMessage&, const JoinMessage&) = default;
};
struct OfferMessage {
  std::string sdp;
  std::optional<std::vector<room::TrackInfo>> tracks;
  friend bool operator==(const OfferMessage&, const OfferMessage&) = default;
};
struct AnswerMessage {
  std::string sdp;
  friend bool operator==(const AnswerMessage&, const AnswerMessage&) = default;
};
struct CandidateMessage {
  room::IceCandidate candidate;  // "a=" prefix already removed
  friend bool operator==(const CandidateMessage&, const CandidateMessage&) = default;
};
struct StateUpdateMessage {
  room::StateChange change;
  friend bool operator==(const StateUpdateMessage&, const StateUpdateMessage&) = default;
};
struct StartScreenShareMessage {
  friend bool operator==(const StartScreenShareMessage&, const StartScreenShareMessage&) = default;
};
struct StopScreenShareMessage {
  friend bool operator==(const StopScreenShareMessage&, const StopScreenShareMessage&) = default;
};
struct LeaveMessage {
  friend bool operator==(const LeaveMessage&, const LeaveMessage&) = default;
};
// v1.1: what the subscriber wants of one video track it receives.
struct TrackSettingsMessage {
  room::TrackSettingsUpdate update;
  friend bool operator==(const TrackSettingsMessage&, const TrackSettingsMessage&) = default;
};

using ClientMessage = std::variant<JoinMessage, OfferMessage, AnswerMessage, CandidateMessage,
                                   StateUpdateMessage, StartScreenShareMessage,
                                   StopScreenShareMessage, LeaveMessage, TrackSettingsMessage>;

struct ParseError {
  ErrorCode code = ErrorCode::bad_request;
  std::string message;
};

struct ParseResult {
  std::optional<ClientMessage> message;  // set on success
  ParseError error;                      // meaningful only when `message` is empty
  std::string type;                      // the `type` field when one was read, for metrics
};

// Parses one text frame. Unknown fields are ignored; `null` counts as absent for optional fields.
ParseResult parse_client_message(std::string_view text);
// The client message as JSON (used by test clients and the fuzzer's round trip).
std::string to_json(const ClientMessage& message);
// The `type` string of a client message.
std::string_view type_name(const ClientMessage& message);

// ---- server -> client ----
struct ParticipantInfo {
  std::string id;
  std::string name;
  room::ParticipantState state;
};

std::string joined_json(std::string_view your_id, std::string_view room,
                        const std::vector<ParticipantInfo>& others,
                        const std::vector<IceServer>& ice_servers);
std::string participant_joined_json(const ParticipantInfo& newcomer);
std::string participant_left_json(std::string_view participant_id);
std::string state_update_json(std::string_view participant_id, const room::ParticipantState& s);
std::string sdp_json(std::string_view type, std::string_view sdp);  // "offer" or "answer"
std::string candidate_json(const room::IceCandidate& candidate);
std::string error_json(ErrorCode code, std::string_view message);
// `active_speakers` (PROTOCOL.md v1.1); levels are rounded to two decimals.
std::string active_speakers_json(const std::vector<room::SpeakerLevel>& speakers);
// `stream_state` (PROTOCOL.md v1.1): "reason" only when paused, "width" / "height" only when
// both are known (non-zero).
std::string stream_state_json(const room::StreamState& state);
// `publish_layers` (PROTOCOL.md v1.1): the rids of `mid` some subscriber needs now.
std::string publish_layers_json(std::string_view mid, const std::vector<std::string>& active);

std::string_view track_type_name(room::TrackType type);

}  // namespace rrtc::signaling
