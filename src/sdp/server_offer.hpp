// The server's own offers to a subscriber (JSEP, RFC 8829 section 5.2): one sendonly m-line per
// forwarded track, mids stable for the life of the PeerConnection, a removed track's m-line set
// to port 0 and recycled (with a new mid) by a track added in a later offer; the client's own
// m-lines and the data channel kept as last negotiated. The first offer of a PeerConnection the
// server starts (a viewer that never offered) may also carry a data channel m-line of the
// server's. Then the client's answer is checked against the offer before the new state is
// committed.
//
// Answers are taken liberally, as other SFUs take them: what an answer lists that the offer did
// not (a header extension, a payload type; Pion adds sdes:mid) is left out and counted
// (ignored()); only what cannot work is refused (a different m-line count or mid, an offered
// payload type mapped to another codec, the wrong DTLS role).
//
// One ServerOfferBuilder per PeerConnection, used from that PeerConnection's thread only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sdp/error.hpp"
#include "sdp/model.hpp"
#include "sdp/negotiator.hpp"

namespace rrtc::sdp {

struct ForwardedTrack {
  std::string id;  // the forwarder's key for this track
  std::string participant_id;
  TrackType type = TrackType::camera;
  unsigned ordinal = 1;  // 2 gives "<participant>-camera-2"
  MediaKind kind = MediaKind::video;
  std::vector<Codec> codecs;  // server payload types, RTX entries included
  std::vector<Extmap> extensions;
  std::uint32_t ssrc = 0;
  std::uint32_t rtx_ssrc = 0;  // 0: none
  std::string cname;
};

// "<participant_id>-<type>" or "<participant_id>-<type>-<n>" (PROTOCOL.md).
std::string msid_track_id(const ForwardedTrack& track);

// The client's answer for one of the server's m-lines.
struct SentMedia {
  std::string mid;
  std::string track_id;
  bool accepted = false;
  std::vector<Codec> codecs;  // what the answer kept, server payload types
  std::vector<Extmap> extensions;
  // The answer lists generic NACK (a=rtcp-fb:<pt> nack) for a kept codec: the receiver may ask
  // for retransmissions, so copies are worth keeping (browsers do not NACK audio).
  bool nack = false;
  // The answer lists rtcp-fb transport-cc for a kept codec: the client sends transport-wide
  // feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) for this m-line's packets.
  bool transport_cc = false;
};

// The data channel m-line (RFC 8841) the server offers a PeerConnection it starts itself:
// m=application UDP/DTLS/SCTP webrtc-datachannel with a=sctp-port and a=max-message-size.
struct DataChannelOffer {
  std::uint16_t sctp_port = 5000;
  std::uint64_t max_message_size = 65536;
};

// The client's answer to that m-line, when it accepted it.
struct AnsweredData {
  std::string mid;
  std::uint16_t sctp_port = 5000;          // the client's a=sctp-port (or a=sctpmap)
  std::uint64_t max_message_size = 65536;  // the client's; RFC 8841 section 6.1: 64 KiB if absent
};

// What the last answer apply_answer() took listed beyond the offer, and was ignored: a=extmap
// lines whose id and URI were not offered together on that m-line, and payload types of the m=
// line that were not offered.
struct AnswerLeniency {
  std::uint32_t extensions = 0;
  std::uint32_t payload_types = 0;
};

class ServerOfferBuilder {
 public:
  // Records the m-lines of a client offer once its answer is final (sent to the client).
  // Index-aligned with earlier m-lines: a mid that changed at an index is a recycled slot.
  void on_client_offer_answered(const Answer& answer);

  // The next offer. `transport.session_version` must be higher than in every earlier SDP of
  // this PeerConnection. The state it implies is pending until apply_answer() or rollback().
  // `data`: add a data channel m-line (after the tracks) unless the PeerConnection has an
  // application m-line already or the client rejected the server's once.
  SessionDescription create_offer(const std::vector<ForwardedTrack>& tracks,
                                  const LocalTransport& transport,
                                  const DataChannelOffer* data = nullptr);

  // Checks the client's answer to the pending offer (same m-lines and mids, offered payload
  // types keep their codec) and commits it; what the answer adds beyond the offer is ignored
  // and counted in ignored(). A live m-line that keeps none of the offered payload types is
  // taken as rejected. The answer that fixes the DTLS role must say a=setup:active; once the
  // role is fixed (any earlier completed negotiation) a different a=setup is ignored, because
  // webrtcbin flips it in later answers and the first role wins. On error the pending offer is
  // dropped and the committed state stays as it was.
  Result<std::vector<SentMedia>> apply_answer(const SessionDescription& answer);
  // Of the last apply_answer() that succeeded.
  const AnswerLeniency& ignored() const noexcept { return ignored_; }
  // The server's data channel m-line as the last successful answer accepted it (nullopt when
  // that answer had none of the server's, or rejected it).
  const std::optional<AnsweredData>& answered_data() const noexcept { return answered_data_; }

  // Drops the pending offer (the server is the polite peer on collisions).
  void rollback();
  bool has_pending_offer() const { return pending_.has_value(); }

  // The tracks the server sends as committed; input to answer_offer() for client re-offers.
  std::vector<SendingTrack> sending_tracks() const;
  std::optional<std::string> mid_of(std::string_view track_id) const;
  // The m-lines of this PeerConnection so far (client, server and free ones; the pending offer's
  // when it has more): what a client SDP repeats before any m-line of its own.
  std::size_t media_section_count() const noexcept {
    return std::max(committed_.slots.size(), pending_ ? pending_->slots.size() : 0);
  }

 private:
  // data: the server's own application m-line (kept as last offered, like a client one).
  enum class Owner : std::uint8_t { client, server, data, free };
  struct Slot {
    std::string mid;
    Owner owner = Owner::free;
    MediaSection section;                 // as last offered or answered by the server
    std::optional<ForwardedTrack> track;  // Owner::server
  };
  struct State {
    std::vector<Slot> slots;
  };

  std::string new_mid();
  void remember_mid(const std::string& mid);
  MediaSection server_section(const ForwardedTrack& track, const std::string& mid,
                              const LocalTransport& transport) const;
  // Adds the server's data channel m-line to `next` unless it has one, or had and lost it.
  void add_data_slot(State& next, const DataChannelOffer& data, const LocalTransport& transport);

  State committed_;
  std::optional<State> pending_;
  std::optional<SessionDescription> pending_offer_;
  std::set<std::string> used_mids_;
  unsigned next_mid_ = 0;
  bool dtls_role_fixed_ = false;
  bool data_declined_ = false;  // the client rejected the server's data channel m-line
  AnswerLeniency ignored_;
  std::optional<AnsweredData> answered_data_;
};

}  // namespace rrtc::sdp
