#pragma once
// A room's media on its worker: the participants' PeerConnections, and the one place their
// received RTP / RTCP arrives (on_rtp / on_rtcp), where the Router will plug in.
//
// Threading: the worker's thread only. Owned by the MediaWorker; participants are freed by
// sweep(), which the worker runs after the loop callback that closed them has returned.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "room/media_backend.hpp"
#include "room/media_context.hpp"
#include "room/media_participant.hpp"

namespace rrtc::room {

class MediaRoom {
 public:
  MediaRoom(MediaContext& context, std::string name);
  MediaRoom(const MediaRoom&) = delete;
  MediaRoom& operator=(const MediaRoom&) = delete;

  const std::string& name() const noexcept { return name_; }

  void join(const std::string& participant);
  void leave(const std::string& participant);
  // An offer or candidate for a participant the worker does not know (it left, or failed) is
  // dropped.
  void offer(const std::string& participant, const std::string& sdp,
             const std::vector<TrackInfo>& tracks);
  void candidate(const std::string& participant, const IceCandidate& candidate);
  // Closes every PeerConnection (shutdown).
  void close_all();

  // Hot path: one decrypted packet from `from`, valid only during the call. No allocation.
  void on_rtp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept;
  void on_rtcp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept;

  // Frees closed participants. Returns true when the room has none left.
  bool sweep();
  void collect_counters();
  std::size_t size() const noexcept { return participants_.size(); }
  MediaParticipant* find(const std::string& participant);

 private:
  MediaContext& context_;
  std::string name_;
  std::unordered_map<std::string, std::unique_ptr<MediaParticipant>> participants_;
};

}  // namespace rrtc::room
