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
#include <memory>
#include <optional>
#include <string>
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
};

// Implemented by the media stack; see the threading contract above.
class MediaBackend {
 public:
  virtual ~MediaBackend() = default;
  // Called once, before any other call. The backend may keep the channel for its whole life.
  virtual void attach(std::shared_ptr<SignalingChannel> channel) = 0;
  virtual void on_join(const std::string& room, const std::string& participant,
                       const ParticipantState& state) = 0;
  virtual void on_leave(const std::string& room, const std::string& participant) = 0;
  virtual void on_offer(const std::string& room, const std::string& participant,
                        const std::string& sdp, const std::vector<TrackInfo>& tracks) = 0;
  virtual void on_answer(const std::string& room, const std::string& participant,
                         const std::string& sdp) = 0;
  virtual void on_candidate(const std::string& room, const std::string& participant,
                            const IceCandidate& candidate) = 0;
  virtual void on_state_change(const std::string& room, const std::string& participant,
                               const ParticipantState& state) = 0;
};

}  // namespace rrtc::room
