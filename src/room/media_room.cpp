#include "room/media_room.hpp"

#include <iterator>

namespace rrtc::room {

MediaRoom::MediaRoom(MediaContext& context, std::string name)
    : context_(context), name_(std::move(name)) {}

MediaParticipant* MediaRoom::find(const std::string& participant) {
  const auto it = participants_.find(participant);
  return it == participants_.end() || it->second->closing() ? nullptr : it->second.get();
}

void MediaRoom::join(const std::string& participant) {
  auto& slot = participants_[participant];
  // A participant id re-used while its old PeerConnection is still being freed: the old one goes
  // now (it is closed and no callback of it is running: this is a posted closure).
  slot = std::make_unique<MediaParticipant>(context_, *this, participant);
}

void MediaRoom::leave(const std::string& participant) {
  if (auto* p = find(participant)) p->close();
}

void MediaRoom::offer(const std::string& participant, const std::string& sdp,
                      const std::vector<TrackInfo>& tracks) {
  if (auto* p = find(participant)) p->on_offer(sdp, tracks);
}

void MediaRoom::candidate(const std::string& participant, const IceCandidate& candidate) {
  if (auto* p = find(participant)) p->on_candidate(candidate);
}

void MediaRoom::close_all() {
  for (auto& [id, participant] : participants_) participant->close();
}

void MediaRoom::on_rtp(MediaParticipant& /*from*/, std::span<std::uint8_t> /*packet*/) noexcept {
  // The Router (forwarding to the other participants) plugs in here; until then the packet,
  // already counted by the participant, ends its path.
}

void MediaRoom::on_rtcp(MediaParticipant& /*from*/, std::span<std::uint8_t> /*packet*/) noexcept {
  // Receiver feedback and sender reports go to the Router with forwarding.
}

bool MediaRoom::sweep() {
  for (auto it = participants_.begin(); it != participants_.end();) {
    it = it->second->closing() ? participants_.erase(it) : std::next(it);
  }
  return participants_.empty();
}

void MediaRoom::collect_counters() {
  for (auto& [id, participant] : participants_) participant->collect_counters();
}

}  // namespace rrtc::room
