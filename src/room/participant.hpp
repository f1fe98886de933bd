#pragma once
// A participant's identity and the state it announces (PROTOCOL.md `state_update`).

#include <optional>
#include <string>

namespace rrtc::room {

// What a participant says about its own media. A newcomer starts unmuted with its camera on and
// no screen share: a client that never sends `state_update` is forwarded in full.
struct ParticipantState {
  bool muted = false;
  bool video_on = true;
  bool screen_sharing = false;

  friend bool operator==(const ParticipantState&, const ParticipantState&) = default;
};

// A partial update: absent fields keep their value.
struct StateChange {
  std::optional<bool> muted;
  std::optional<bool> video_on;
  std::optional<bool> screen_sharing;

  friend bool operator==(const StateChange&, const StateChange&) = default;

  ParticipantState applied_to(ParticipantState state) const {
    if (muted) state.muted = *muted;
    if (video_on) state.video_on = *video_on;
    if (screen_sharing) state.screen_sharing = *screen_sharing;
    return state;
  }
};

struct Participant {
  std::string id;
  std::string name;  // empty when the client gave none
  ParticipantState state;
};

}  // namespace rrtc::room
