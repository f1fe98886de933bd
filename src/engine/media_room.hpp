#pragma once
// A room's media on its worker: the participants' PeerConnections and the Router between them.
// Received RTP / RTCP arrives here (on_rtp / on_rtcp) and goes to the Router. One loop timer,
// armed at the Router's next deadline after each call into it, drives the Router's timers (NACK
// retries, key-frame retries, reports); an idle room arms nothing. Data channels are the
// participants' Peers' (their SCTP timers are the Peers' own deadlines); the room relays messages.
//
// Renegotiation: when a participant's published tracks change (it answered an offer of its own,
// or it left), every other participant is asked to refresh its server offer
// (MediaParticipant::refresh_offer).
//
// Threading: the worker's thread only. Owned by the MediaWorker; participants are freed by
// sweep(), which the worker runs after the loop callback that closed them has returned.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/media_context.hpp"
#include "engine/media_participant.hpp"
#include "io/event_loop.hpp"
#include "room/media_backend.hpp"
#include "room/router.hpp"
#include "room/track_mapping.hpp"
#include "time/media_time.hpp"
#include "transport/data_channel.hpp"

namespace rrtc::engine {

class MediaRoom {
 public:
  MediaRoom(MediaContext& context, std::string name);
  ~MediaRoom();
  MediaRoom(const MediaRoom&) = delete;
  MediaRoom& operator=(const MediaRoom&) = delete;

  const std::string& name() const noexcept { return name_; }

  // One request of signaling's for one of this room's participants: a Join creates the
  // participant; anything else for a participant the room does not know (it left, or failed) is
  // dropped.
  void handle(room::MediaRequest& request);
  // Closes every PeerConnection (shutdown).
  void close_all();

  // Hot path: one decrypted packet from `from`, valid only during the call. No allocation.
  void on_rtp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept;
  void on_rtcp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept;

  room::Router& router() noexcept { return router_; }
  // Call after each call into router() from outside the room: arms the room's one Router timer
  // when the Router's next deadline is earlier than the armed one (no allocation otherwise).
  void arm_router_timer();
  // `changed`'s published tracks changed (or it left): every other participant re-offers.
  void on_tracks_changed(const MediaParticipant& changed);
  // The server m-lines `subscriber` should have now: every track the others publish.
  std::vector<room::OfferedTrack> offered_tracks_for(MediaParticipant& subscriber);

  // Data channels: a client opened `label` (every other participant gets one too), a
  // participant's association came up (it gets every label the room has), a message to relay.
  void on_data_channel(MediaParticipant& from, const std::string& label,
                       const std::string& protocol,
                       const transport::DataChannelParameters& parameters);
  void on_data_up(MediaParticipant& participant);
  void relay_data(MediaParticipant& from, const std::string& label,
                  std::span<const std::uint8_t> data, bool binary);

  // Frees closed participants. Returns true when the room has none left.
  bool sweep();
  void collect_counters();
  std::size_t size() const noexcept { return participants_.size(); }
  MediaParticipant* find(const std::string& participant);

  // The worker loop's time.
  time::Timestamp now() const noexcept { return context_.loop.now(); }

 private:
  void join(const std::string& participant, const room::ParticipantState& state);

  MediaContext& context_;
  std::string name_;
  room::Router router_;  // before participants_: they leave it in their destructors
  std::unordered_map<std::string, std::unique_ptr<MediaParticipant>> participants_;
  io::TimerHandle router_timer_;
  std::optional<time::Timestamp> router_deadline_;  // what router_timer_ is armed for
  struct DataLabel {
    std::string label;
    std::string protocol;
    transport::DataChannelParameters parameters;
  };
  std::vector<DataLabel> data_labels_;  // bounded by kMaxDataLabels
};

}  // namespace rrtc::engine
