// The Router's active-speaker input (RFC 6464 levels into the SpeakerDetector) and its
// per-track statistics.
#include <algorithm>

#include "room/router.hpp"
#include "room/router_members.hpp"

namespace rrtc::room {

void Router::observe_level(Member& from, const UpTrack& up, const rtp::Packet& packet,
                           time::Timestamp now) noexcept {
  // A muted participant is not a speaker, whatever its client still sends.
  if (up.info.audio_level_extension_id == 0 || up.info.video || from.state.muted) return;
  const auto level = packet.extension(up.info.audio_level_extension_id);
  // RFC 6464 section 3: one byte, V and the level; a longer element is from a sender that pads
  // it (the two-byte form allows it), the first byte still counts.
  if (!level || level->empty()) return;
  speakers_.on_level(from.speaker, (*level)[0], now);
}

void Router::active_speakers(time::Timestamp now, std::vector<ActiveSpeaker>& out) noexcept {
  out.clear();
  speakers_.speakers(now, speaker_scratch_);
  for (const auto& speaker : speaker_scratch_) {
    const Member* member = speaker_members_[speaker.source];
    if (member != nullptr) out.push_back({member->id, speaker.level});
  }
  // A speaker's camera has the `speaker` priority in its subscribers' allocation: who gained or
  // lost the floor is re-allocated.
  for (auto& member : members_) {
    const bool speaking =
        std::any_of(speaker_scratch_.begin(), speaker_scratch_.end(),
                    [&](const SpeakerDetector::Speaker& s) { return s.source == member->speaker; });
    if (speaking == member->speaking) continue;
    member->speaking = speaking;
    for (auto& up : member->ups) {
      if (up->info.video && up->info.type == TrackType::camera) mark_subscribers(*up, now, false);
    }
  }
}

std::optional<TrackCounters> Router::track_counters(const Member& member,
                                                    std::string_view track_key) const noexcept {
  const auto it = std::find_if(member.ups.begin(), member.ups.end(),
                               [&](const auto& up) { return up->info.key == track_key; });
  if (it == member.ups.end()) return std::nullopt;
  const UpTrack& up = **it;
  return TrackCounters{up.packets, up.bytes, up.enabled && !up.policed_now};
}

}  // namespace rrtc::room
