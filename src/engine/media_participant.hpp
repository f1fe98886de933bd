#pragma once
// One participant's PeerConnection with the server on a media worker: a transport::Peer (ICE
// controlled, DTLS passive) over a libnice agent, created by the participant's first offer (or
// by the server's first offer to a viewer, below), and its membership in the room's Router.
//
// Admission (issue 15): an offer is validated whole (engine/offer_checks.hpp) before anything is
// allocated for it; a rejected one gets error 400 and costs no ICE agent, port or Peer. The
// participant's first offer, rejected or not, starts its connect deadline
// (MediaLimits::connect_timeout): a PeerConnection not connected by then is removed with error
// 408 and everything of it released, as for a leave.
//
// Viewers (issue 16): a participant that has not offered kViewerOfferDelay after joining is
// offered by the server as soon as the room has tracks for it (or data channels to join): the server creates the Peer and
// sends a complete first offer (BUNDLE, rtcp-mux, ICE credentials, fingerprint, a=setup:actpass,
// one sendonly m-line per forwarded track, then a data channel m-line); that offer starts the
// connect deadline, and the client's answer (a=setup:active) starts the Peer and subscribes the
// participant. From then on it is negotiated like everyone else, and its own later `offer` is a
// re-offer of that transport. The delay leaves a client that joins and then publishes the time
// to send its own offer first, so a plain join-then-offer client never meets an offer it did
// not expect.
//
// Negotiation (PROTOCOL.md): the client's offers are answered; the tracks it publishes go to the
// Router. When the tracks it should receive change, refresh_offer() sends a server offer (one
// sendonly m-line per forwarded track, sdp::ServerOfferBuilder); its answer subscribes it in the
// Router. One server offer in flight at a time; the server is polite: a client offer arriving
// while a server offer is outstanding rolls the server offer back, is answered, and the server
// offers again.
//
// Threading: the worker's thread only. Lifetime: owned by its MediaRoom. A participant that
// fails, or that the client closes, tells signaling (remove_participant), marks itself closing
// and asks for a sweep: the room frees it later, never inside a Peer callback.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/media_context.hpp"
#include "engine/media_counters.hpp"
#include "engine/offer_checks.hpp"
#include "engine/participant_bandwidth.hpp"
#include "io/event_loop.hpp"
#include "room/media_backend.hpp"
#include "room/router.hpp"
#include "room/token_bucket.hpp"
#include "room/track_mapping.hpp"
#include "sdp/server_offer.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::engine {

class MediaRoom;

// How long after its Join a participant that has not offered waits before the server offers it
// first (it is a viewer).
inline constexpr std::chrono::milliseconds kViewerOfferDelay{500};

class MediaParticipant final : private transport::PeerListener, private room::RouterSink {
 public:
  MediaParticipant(MediaContext& context, MediaRoom& room, std::string id,
                   const room::ParticipantState& state);
  ~MediaParticipant();
  MediaParticipant(const MediaParticipant&) = delete;
  MediaParticipant& operator=(const MediaParticipant&) = delete;

  const std::string& id() const noexcept { return id_; }
  // Parses and answers the offer (sends `answer`), starting the Peer on the first one. An
  // unusable offer gets error 400 and the participant stays.
  void on_offer(const std::string& sdp, const std::vector<room::TrackInfo>& tracks);
  // The client's answer to the outstanding server offer.
  void on_answer(const std::string& sdp);
  // A trickled remote candidate; kept (bounded) until the Peer has started.
  void on_candidate(const room::IceCandidate& candidate);
  void set_state(const room::ParticipantState& state);
  // The participant left through signaling: close quietly (signaling already knows).
  void close();

  // Sends a server offer if the tracks this participant should receive changed (or marks one
  // to follow the outstanding offer). For a participant without a PeerConnection yet (a viewer)
  // the first offer waits until kViewerOfferDelay after its Join, and none comes once it has
  // offered itself.
  void refresh_offer();
  // What it publishes, from the last answer to its own offer.
  const std::vector<room::PublishedMedia>& published() const noexcept { return published_; }
  const std::vector<sdp::NegotiatedMedia>& own_media() const noexcept { return own_media_; }
  // The server's SSRC for `track_key` towards this participant (chosen once, then stable while
  // the track is offered or committed; reclaimed when it is neither).
  std::uint32_t ssrc_for(const std::string& track_key);
  // SSRCs chosen and kept: bounded by the tracks in the outstanding and the committed server
  // offer (tests).
  std::size_t ssrc_map_size() const noexcept { return ssrcs_.size(); }
  // Whether the PeerConnection completed ICE and DTLS (its connect deadline no longer runs).
  bool connected() const noexcept { return connected_; }

  room::Router::Member* member() noexcept { return member_; }
  // Bandwidth estimation both ways on its PeerConnection (engine/participant_bandwidth.hpp).
  const ParticipantBandwidth& bandwidth() const noexcept { return bandwidth_; }

  // Data channels (SCTP over DTLS, when the client's offer had an application m-line).
  bool data_up() const noexcept;
  // Opens a channel with `label` towards the client unless it has one (a viewer without a
  // PeerConnection yet is offered one, refresh_offer()).
  void ensure_channel(const std::string& label, const std::string& protocol,
                      const transport::DataChannelParameters& parameters);
  // Sends a relayed message (already framed) on the channel with `label`; false if it has none
  // or the message was refused (too large for the client, buffer full).
  bool send_data(std::string_view label, std::span<const std::uint8_t> data, bool binary);
  // Data-channel relay policing: whether a message of `bytes` this participant sent may be
  // relayed at `now` (MediaLimits::max_data_messages_per_second and max_data_bytes_per_second,
  // one second of burst each). A refused message is counted and costs no tokens.
  bool admit_data(std::size_t bytes, time::Timestamp now);
  bool closing() const noexcept { return closing_; }
  const transport::Peer* peer() const noexcept { return peer_.get(); }
  // Adds the Peer's counters accumulated since the last call to the worker's counters.
  void collect_counters();

 private:
  friend class ParticipantBandwidth;  // its member, Peer and send_rtcp

  // transport::PeerListener
  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;
  // RouterSink
  std::span<std::uint8_t> egress_slot() noexcept override;
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                room::SendKind kind) noexcept override;
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept override;
  // transport::PeerListener: data channels
  void on_data_state(transport::DataState state, std::string_view reason) override;
  void on_data_channel_open(std::uint16_t id, std::string_view label, std::string_view protocol,
                            const transport::DataChannelParameters& parameters) override;
  void on_data_message(std::uint16_t id, std::string_view label, std::span<const std::uint8_t> data,
                       bool binary) override;

  void enable_data_channels(const sdp::NegotiatedMedia& application);
  void enable_data_channels(const transport::DataChannelConfig& config);
  // The data channel m-line of the server's first offer, as the client's answer accepted it.
  void enable_offered_data_channels(const sdp::AnsweredData& data);
  bool create_peer();
  sdp::LocalTransport local_transport();
  // Starts the Peer with the remote transport of the first accepted offer, or of the answer to
  // the server's first offer (a viewer).
  bool start_peer(const sdp::RemoteTransport& remote, transport::PeerConfig config);
  // Whether the server may make the first offer of this PeerConnection now (a viewer).
  bool may_offer_first();
  // The answer to the server's first offer: what starts a viewer's Peer (nullopt: rejected).
  std::optional<std::pair<sdp::RemoteTransport, transport::PeerConfig>> first_answer_transport(
      const sdp::SessionDescription& answer);
  void count_ignored();
  void publish(const sdp::Answer& answer);
  void arm_connect_deadline();
  void on_connect_deadline();
  // Drops the SSRCs of tracks neither offered nor committed any more.
  void reclaim_ssrcs(const std::vector<room::OfferedTrack>& wanted);
  // Error 400 for an unusable SDP; the participant stays and may offer again.
  void reject(std::string message);
  // Removes the participant through signaling with `reason`, then closes.
  void fail(std::string reason);
  void leave_router();
  void apply_remote_candidate(const std::string& candidate);
  void choose_egress() noexcept;
  // Stamps transport-cc and sends: through its egress worker when spread, else its Peer. What
  // send_rtp does once the pacer let the packet go, and the pacer's timer for what waited.
  bool transmit(std::span<std::uint8_t> buffer, std::size_t length) noexcept;
  RtpKind kind_of(std::uint8_t payload_type) const noexcept;

  MediaContext& context_;
  MediaRoom& room_;
  std::string id_;
  transport::LoopPeerTimer timer_;  // declared before the Peer: outlives it
  std::unique_ptr<transport::Peer> peer_;
  // Where its RTP is protected and sent when its room is spread (egress_offload.hpp); chosen
  // once, at the first forwarded packet after it connected. Retires its lane when destroyed.
  EgressSeat egress_;
  bool egress_decided_ = false;
  room::Router::Member* member_ = nullptr;
  bool started_ = false;
  bool client_offered_ = false;  // any `offer` from the client, refused ones included
  bool closing_ = false;
  bool connected_ = false;
  bool deadline_armed_ = false;
  io::TimerHandle connect_timer_;
  time::Timestamp first_offer_at_;  // Join + kViewerOfferDelay
  io::TimerHandle first_offer_timer_;
  OfferHistory history_;
  room::RateBucket data_messages_;
  room::RateBucket data_bytes_;
  std::uint64_t session_version_ = 0;
  std::string session_id_;
  std::string candidate_mid_;  // the first bundled mid of our answer, for trickled candidates
  std::size_t local_candidates_ = 0;
  std::vector<std::string> pending_candidates_;
  std::vector<std::pair<std::uint8_t, RtpKind>> payload_kinds_;
  transport::PeerCounters collected_;

  std::vector<room::PublishedMedia> published_;
  std::vector<sdp::NegotiatedMedia> own_media_;
  sdp::ServerOfferBuilder offers_;
  std::vector<room::OfferedTrack> offered_;    // in the outstanding server offer
  std::vector<room::OfferedTrack> committed_;  // as the last answered server offer left them
  bool reoffer_ = false;                       // offer again once the outstanding offer settles
  std::unordered_map<std::string, std::uint32_t> ssrcs_;
  ParticipantBandwidth bandwidth_;  // last: its timers go first
};

}  // namespace rrtc::engine
