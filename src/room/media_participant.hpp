#pragma once
// One participant's PeerConnection with the server on a media worker: a transport::Peer (ICE
// controlled, DTLS passive) over a libnice agent, created by the participant's first offer.
//
// Threading: the worker's thread only. Lifetime: owned by its MediaRoom. A participant that
// fails, or that the client closes, tells signaling (remove_participant), marks itself closing
// and asks for a sweep: the room frees it later, never inside a Peer callback.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "room/media_backend.hpp"
#include "room/media_context.hpp"
#include "room/media_counters.hpp"
#include "transport/glib_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::room {

class MediaRoom;

class MediaParticipant final : private transport::PeerListener {
 public:
  MediaParticipant(MediaContext& context, MediaRoom& room, std::string id);
  ~MediaParticipant();
  MediaParticipant(const MediaParticipant&) = delete;
  MediaParticipant& operator=(const MediaParticipant&) = delete;

  const std::string& id() const noexcept { return id_; }
  // Parses and answers the offer (sends `answer`), starting the Peer on the first one. A bad
  // offer removes the participant with the reason.
  void on_offer(const std::string& sdp, const std::vector<TrackInfo>& tracks);
  // A trickled remote candidate; kept (bounded) until the Peer has started.
  void on_candidate(const IceCandidate& candidate);
  // The participant left through signaling: close quietly (signaling already knows).
  void close();

  bool closing() const noexcept { return closing_; }
  const transport::Peer* peer() const noexcept { return peer_.get(); }
  // Adds the Peer's counters accumulated since the last call to the worker's counters.
  void collect_counters();

 private:
  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;
  void on_application_data(std::span<const std::uint8_t> data) override;

  bool create_peer();
  // Removes the participant through signaling with `reason`, then closes.
  // Error 400 for an unusable offer; the participant stays and may offer again.
  void reject(std::string message);
  void fail(std::string reason);
  void apply_remote_candidate(const std::string& candidate);
  RtpKind kind_of(std::uint8_t payload_type) const noexcept;

  MediaContext& context_;
  MediaRoom& room_;
  std::string id_;
  transport::GlibPeerTimer timer_;  // declared before the Peer: outlives it
  std::unique_ptr<transport::Peer> peer_;
  bool started_ = false;
  bool closing_ = false;
  std::uint64_t session_version_ = 0;
  std::string session_id_;
  std::string candidate_mid_;  // the first bundled mid of our answer, for trickled candidates
  std::size_t local_candidates_ = 0;
  std::vector<std::string> pending_candidates_;
  std::vector<std::pair<std::uint8_t, RtpKind>> payload_kinds_;
  transport::PeerCounters collected_;
};

}  // namespace rrtc::room
