// The server's own offers to a subscriber (JSEP, RFC 8829 section 5.2): one sendonly m-line per
// forwarded track, mids stable for the life of the PeerConnection, a removed track's m-line set
// to port 0 and recycled (with a new mid) by a track added in a later offer; the client's own
// m-lines and the data channel kept as last negotiated. Then the client's answer is checked
// against the offer before the new state is committed.
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
};

class ServerOfferBuilder {
 public:
  // Records the m-lines of a client offer once its answer is final (sent to the client).
  // Index-aligned with earlier m-lines: a mid that changed at an index is a recycled slot.
  void on_client_offer_answered(const Answer& answer);

  // The next offer. `transport.session_version` must be higher than in every earlier SDP of
  // this PeerConnection. The state it implies is pending until apply_answer() or rollback().
  SessionDescription create_offer(const std::vector<ForwardedTrack>& tracks,
                                  const LocalTransport& transport);

  // Checks the client's answer to the pending offer (same m-lines and mids, only offered
  // payload types and extensions) and commits it. The answer that fixes the DTLS role must say
  // a=setup:active; once the role is fixed (any earlier completed negotiation) a different
  // a=setup is ignored, because webrtcbin flips it in later answers and the first role wins.
  // On error the pending offer is dropped and the committed state stays as it was.
  Result<std::vector<SentMedia>> apply_answer(const SessionDescription& answer);

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
  enum class Owner : std::uint8_t { client, server, free };
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

  State committed_;
  std::optional<State> pending_;
  std::optional<SessionDescription> pending_offer_;
  std::set<std::string> used_mids_;
  unsigned next_mid_ = 0;
  bool dtls_role_fixed_ = false;
};

}  // namespace rrtc::sdp
