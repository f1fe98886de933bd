#pragma once
// A room's media on its worker: the participants' PeerConnections and the Router between them.
// Received RTP / RTCP arrives here (on_rtp / on_rtcp) and goes to the Router. One loop timer,
// armed at the Router's next deadline after each call into it, drives the Router's timers (NACK
// retries, key-frame retries, reports); an idle room arms nothing. Data channels are the
// participants' Peers' (their SCTP timers are the Peers' own deadlines); the room relays messages.
//
// Renegotiation: when a participant's published tracks change (it answered an offer of its own,
// or it left), every other participant is asked to refresh its server offer
// (MediaParticipant::refresh_offer), and signaling gets the participant's whole list of tracks
// (SignalingChannel::tracks_changed).
//
// Simulcast and allocation (issue 17): the Router decides which layer each subscriber gets
// (room/router.hpp); its notices go to signaling from arm_router_timer(), which every path into
// the Router ends with (packets, RTCP, its timer, estimates, settings, renegotiation):
// stream_state to a subscriber when what it receives of a video track changed, publish_layers to
// a simulcast publisher when the set of rids its subscribers need changed.
//
// Active speakers: the Router reads audio levels per packet (room/router.hpp). A second loop
// timer evaluates them every kSpeakerInterval (200 ms) while anyone speaks or may start to: the
// first voiced packet arms it, and it stops once the Router says nothing can change without new
// packets, so a silent room has no timer. Signaling gets `send_speakers` only when the set or the
// order of speakers changed (an empty list when the last one stopped).
//
// Statistics: stats() reads every participant's transport and track counters (admin API).
//
// Threading: the worker's thread only. Owned by the MediaWorker; participants are freed by
// sweep(), which the worker runs after the loop callback that closed them has returned.

#include <chrono>
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
  // Call after each call into router() from outside the room: sends the Router's notices
  // (stream_state to subscribers, publish_layers to publishers) when it has any, and arms the
  // room's one Router timer when the Router's next deadline is earlier than the armed one (no
  // allocation otherwise).
  void arm_router_timer();
  // `changed`'s published tracks changed (or it left): every other participant re-offers, and
  // signaling gets its list of tracks.
  void on_tracks_changed(const MediaParticipant& changed);
  // Every participant's counters, for MediaBackend::query_room.
  std::vector<room::ParticipantStats> stats();
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
  // Whether anyone opened a data channel here (a viewer is offered a data channel m-line for it).
  bool has_data_labels() const noexcept { return !data_labels_.empty(); }
  MediaParticipant* find(const std::string& participant);

  // The worker loop's time.
  time::Timestamp now() const noexcept { return context_.loop.now(); }

  // How often active speakers are evaluated, at most.
  static constexpr auto kSpeakerInterval = std::chrono::milliseconds(200);

 private:
  void join(const std::string& participant, const room::ParticipantState& state);
  // A subscriber's track_settings; an unknown track id gets error 400.
  void set_track_settings(MediaParticipant& participant, const room::TrackSettingsUpdate& update);
  void arm_speaker_timer();
  void on_speaker_timer();
  // Hands the Router's stream_state / publish_layers notices to signaling.
  void send_notices();

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
  io::TimerHandle speaker_timer_;
  bool speaker_timer_armed_ = false;
  std::vector<room::ActiveSpeaker> speakers_;   // scratch, reserved per participant
  std::vector<std::string> speakers_sent_;      // the order signaling has, by participant id
};

}  // namespace rrtc::engine
