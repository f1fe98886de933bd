#pragma once
// The seam between signaling and the media stack. Signaling validates `offer`, `answer` and
// `candidate` at the boundary and hands them to a MediaBackend; the backend talks back through
// the SignalingChannel it is given.
//
// Threading contract:
// - MediaBackend calls are made on the signaling thread. An implementation must not block: it
//   posts the work to the worker that owns the room (DESIGN.md, Threads) and returns.
// - SignalingChannel calls may be made from any thread. Each call posts its values onto the
//   signaling thread; a participant that has left by then is silently skipped. Calls carry ids
//   and values, never pointers.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "room/participant.hpp"

namespace rrtc::room {

enum class TrackType { audio, camera, screen };

// One entry of an offer's `tracks`: which kind of source the client publishes on `mid`.
struct TrackInfo {
  std::string mid;
  TrackType type = TrackType::audio;

  friend bool operator==(const TrackInfo&, const TrackInfo&) = default;
};

// A trickled ICE candidate. `candidate` has no "a=" prefix; empty = end of candidates.
struct IceCandidate {
  std::string candidate;
  std::optional<std::string> sdp_mid;
  std::optional<std::uint16_t> sdp_mline_index;

  friend bool operator==(const IceCandidate&, const IceCandidate&) = default;
};

// One track a participant publishes, as the room names it (PROTOCOL.md v1.1 track ids).
struct PublishedTrackInfo {
  std::string track_id;  // "<participant>-<type>[-N]", as in the server offers' a=msid
  std::string mid;       // the publisher's own m-line
  TrackType type = TrackType::audio;
  std::string codec;     // e.g. "opus", "VP8"; the first negotiated codec of the m-line

  friend bool operator==(const PublishedTrackInfo&, const PublishedTrackInfo&) = default;
};

// One entry of `active_speakers` (PROTOCOL.md v1.1): loudest first.
struct SpeakerLevel {
  std::string participant;
  double level = 0;  // 0.0 (silence) - 1.0 (0 dBov)

  friend bool operator==(const SpeakerLevel&, const SpeakerLevel&) = default;
};

// A subscriber's `track_settings` message (PROTOCOL.md v1.1): what it wants of one received
// video track. Omitted fields keep their earlier value; 0 for a size or rate means no limit.
struct TrackSettingsUpdate {
  std::string track_id;  // "<participant>-<type>[-N]"
  std::optional<bool> paused;
  std::optional<std::uint32_t> max_width;
  std::optional<std::uint32_t> max_height;
  std::optional<std::uint32_t> max_fps;

  friend bool operator==(const TrackSettingsUpdate&, const TrackSettingsUpdate&) = default;
};

// `stream_state` (PROTOCOL.md v1.1): what a subscriber receives of one video track now.
enum class StreamPause : std::uint8_t { none, requested, bandwidth, publisher };
struct StreamState {
  std::string track_id;
  StreamPause paused = StreamPause::none;  // none: "active"; else "paused" with that reason
  std::uint32_t width = 0;                 // the layer forwarded now, 0: unknown
  std::uint32_t height = 0;

  friend bool operator==(const StreamState&, const StreamState&) = default;
};

// Basic counters of one published track (admin API).
struct TrackStats {
  PublishedTrackInfo track;
  bool forwarding = false;  // forwarded now (not paused by state or policing)
  std::uint64_t packets = 0;  // received from the publisher
  std::uint64_t bytes = 0;
};

// Basic counters of one participant's PeerConnection (admin API).
struct ParticipantStats {
  std::string participant;
  bool connected = false;  // ICE and DTLS completed
  std::uint64_t packets_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::vector<TrackStats> tracks;
};

// Implemented by the signaling server; see the threading contract above.
class SignalingChannel {
 public:
  virtual ~SignalingChannel() = default;
  virtual void send_answer(std::string room, std::string participant, std::string sdp) = 0;
  virtual void send_offer(std::string room, std::string participant, std::string sdp) = 0;
  virtual void send_candidate(std::string room, std::string participant,
                              IceCandidate candidate) = 0;
  // Sends `error` 400 with `message` to the participant, which stays in the room: its offer or
  // answer could not be used (unparsable SDP, no fingerprint, no ICE credentials, no BUNDLE).
  virtual void reject_sdp(std::string room, std::string participant, std::string message) = 0;
  // Sends `error` 500 with `reason` to the participant, then removes it as if it had left: the
  // others get `participant_left` and the room goes on.
  virtual void remove_participant(std::string room, std::string participant,
                                  std::string reason) = 0;
  // Sends `error` with `code` and `message`: 408 when the participant's PeerConnection did not
  // connect within the connect deadline, 503 when a request of its was refused because the
  // queue to its media worker was full. With `remove`, then removes the participant as
  // remove_participant() does. A channel that knows only 400 and 500 falls back to them.
  virtual void send_error(std::string room, std::string participant, int code,
                          std::string message, bool remove) {
    (void)code;
    if (remove) {
      remove_participant(std::move(room), std::move(participant), std::move(message));
    } else {
      reject_sdp(std::move(room), std::move(participant), std::move(message));
    }
  }
  // The whole list of tracks `participant` publishes now, after each change (a publish, an
  // unpublish, the participant closing: an empty list). Signaling keeps it for the admin API and
  // turns the differences into track_published / track_unpublished webhook events.
  virtual void tracks_changed(std::string room, std::string participant,
                              std::vector<PublishedTrackInfo> tracks) {
    (void)room, (void)participant, (void)tracks;
  }
  // Sends `active_speakers` with `speakers` (loudest first; empty: nobody speaks) to everyone
  // in `room`.
  virtual void send_speakers(std::string room, std::vector<SpeakerLevel> speakers) {
    (void)room, (void)speakers;
  }
  // Sends `stream_state` to subscriber `participant` (PROTOCOL.md v1.1).
  virtual void send_stream_state(std::string room, std::string participant, StreamState state) {
    (void)room, (void)participant, (void)state;
  }
  // Sends `publish_layers` to publisher `participant`: of its simulcast m-line `mid`, the rids
  // some subscriber needs now (PROTOCOL.md v1.1).
  virtual void send_publish_layers(std::string room, std::string participant, std::string mid,
                                   std::vector<std::string> active) {
    (void)room, (void)participant, (void)mid, (void)active;
  }
};

// What signaling asks of the media stack for one participant: one command type, posted as a
// value to the worker that owns the room and dispatched there (engine::Worker).
namespace request {
// The participant entered the room (before any other request for it).
struct Join {
  ParticipantState state;
};
// It left: close quietly (signaling already told the others).
struct Leave {};
// Its SDP offer, and the track types its `tracks` map gave.
struct Offer {
  std::string sdp;
  std::vector<TrackInfo> tracks;
};
// Its answer to the outstanding server offer.
struct Answer {
  std::string sdp;
};
// A trickled remote ICE candidate.
struct Candidate {
  IceCandidate candidate;
};
// Its announced state (mute, camera, screen share), whole.
struct State {
  ParticipantState state;
};
// Its `track_settings` for one track it receives (an unknown track id gets error 400).
struct TrackSettings {
  TrackSettingsUpdate update;
};
}  // namespace request

using MediaCommand = std::variant<request::Join, request::Leave, request::Offer, request::Answer,
                                  request::Candidate, request::State, request::TrackSettings>;

struct MediaRequest {
  std::string room;
  std::string participant;
  MediaCommand command;
};

// Implemented by the media stack; see the threading contract above.
class MediaBackend {
 public:
  virtual ~MediaBackend() = default;
  // Called once, before any other call. The backend may keep the channel for its whole life.
  virtual void attach(std::shared_ptr<SignalingChannel> channel) = 0;
  // Hands one request over; requests for one participant are handled in the order submitted.
  virtual void submit(MediaRequest request) = 0;
  // Reads the counters of every participant of `room` on its worker and calls `done` with them,
  // once, on any thread (the caller posts back to its own); an unknown room gives an empty list.
  // A backend without counters calls `done` at once with an empty list.
  using StatsCallback = std::function<void(std::vector<ParticipantStats>)>;
  virtual void query_room(std::string room, StatsCallback done) {
    (void)room;
    done({});
  }
};

}  // namespace rrtc::room
