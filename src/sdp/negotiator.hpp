// Answers a client's offer (JSEP, RFC 8829 section 5.3) as the SFU: BUNDLE, rtcp-mux, DTLS
// passive, codecs and header extensions the server can forward, one data channel m-line. What it
// cannot take is rejected with port 0. Also returns what the media layers need: per mid the
// negotiated codecs (with the client's payload types), extension ids, SSRCs and the track type,
// and the client's ICE credentials, fingerprints and candidates.
// Pure: no clock, no randomness (ids come in through LocalTransport), no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sdp/capabilities.hpp"
#include "sdp/error.hpp"
#include "sdp/model.hpp"
#include "sdp/simulcast.hpp"

namespace rrtc::sdp {

// PROTOCOL.md track types.
enum class TrackType : std::uint8_t { audio, camera, screen };
std::string_view to_string(TrackType type);

// The server's side of the transport, the same in every SDP of one PeerConnection.
struct LocalTransport {
  std::string ice_ufrag;
  std::string ice_pwd;
  Fingerprint fingerprint;            // sha-256 of the process certificate
  std::vector<Candidate> candidates;  // gathered so far (trickle sends the rest)
  bool end_of_candidates = false;
  std::string session_id = "0";  // o= session id, random per PeerConnection (caller's choice)
  std::uint64_t session_version = 1;
};

// The client-supplied `tracks` map of an offer message.
struct TrackTypeHint {
  std::string mid;
  TrackType type = TrackType::camera;
};

// A track the server sends on an m-line (from one of its own earlier offers). A client re-offer
// carries those m-lines too; the answer keeps sending on them.
struct SendingTrack {
  std::string mid;
  std::string stream_id;  // msid: "<participant_id> <participant_id>-<type>"
  std::string track_id;
  std::uint32_t ssrc = 0;
  std::uint32_t rtx_ssrc = 0;  // 0: none
  std::string cname;
};

struct NegotiatedCodec {
  Codec codec;  // the client's payload type, fmtp as offered, feedback intersected
  std::optional<std::uint8_t> rtx_payload_type;
  bool operator==(const NegotiatedCodec&) const = default;
};

struct NegotiatedMedia {
  std::string mid;
  MediaKind kind = MediaKind::other;
  bool accepted = false;
  Direction direction = Direction::inactive;  // the server's, as in the answer
  std::optional<TrackType> track_type;        // when the client sends on it
  std::vector<NegotiatedCodec> codecs;        // first = preferred; RED last
  std::vector<Extmap> extensions;             // the client's ids for this m-line
  std::vector<std::uint32_t> ssrcs;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rtx_pairs;  // FID: media, repair
  std::vector<std::uint32_t> simulcast_ssrcs;                      // SIM group, low to high
  std::string cname;
  std::vector<Rid> rids;  // the offer's a=rid send lines
  // Rid simulcast the answer accepted (sdp/simulcast.hpp), in the offer's a=simulcast order;
  // empty: none. The legacy form is `simulcast_ssrcs` above.
  std::vector<SimulcastLayerOffer> simulcast;
  std::optional<Msid> msid;
  std::uint16_t sctp_port = 0;  // application m-line
  std::uint64_t max_message_size = 0;
};

struct RemoteTransport {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  bool ice_lite = false;
  std::vector<Fingerprint> fingerprints;
  std::vector<Candidate> candidates;  // of the BUNDLE-tagged m-line
  bool end_of_candidates = false;
};

struct Answer {
  SessionDescription sdp;
  std::vector<NegotiatedMedia> media;  // one per offered m-line, in order
  RemoteTransport remote;
};

struct AnswerInput {
  const Capabilities* capabilities = nullptr;
  const LocalTransport* transport = nullptr;
  std::vector<TrackTypeHint> track_types;
  std::vector<SendingTrack> sending;
};

// Errors: no_media, missing_bundle, missing_mid, missing_ice_credentials, missing_fingerprint,
// unusable_fingerprint, bad_dtls_role, missing_rtcp_mux.
Result<Answer> answer_offer(const SessionDescription& offer, const AnswerInput& input);

// The remote transport a client's answer to a server offer carries (its BUNDLE-tagged m-line's
// ICE credentials, fingerprints and candidates): what starts the Peer of a participant the server
// offered first (a viewer). Errors: missing_bundle, missing_ice_credentials, missing_fingerprint,
// unusable_fingerprint. The DTLS role is ServerOfferBuilder::apply_answer's to check.
Result<RemoteTransport> answer_transport(const SessionDescription& answer);

// Whether `fingerprint` names a hash OpenSSL can check and has that hash's length.
bool is_usable_fingerprint(const Fingerprint& fingerprint);

// The PROTOCOL.md rule: the tracks map wins, else a msid containing "screen" / "audio", else
// the m-line kind. nullopt for non-RTP m-lines.
std::optional<TrackType> classify_track(const MediaSection& media,
                                        const std::vector<TrackTypeHint>& hints);

}  // namespace rrtc::sdp
