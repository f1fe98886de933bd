#pragma once
// The load generator's side of SDP, as a browser would write it (JSEP, RFC 8829), built on the
// project's SDP model: a publisher's offer (sendonly Opus audio and VP8 video with a=ssrc and
// msid), a pure subscriber's offer (one data channel m-line, so it publishes nothing), the
// answer to the server's offers (same mids in order, recvonly for forwarded tracks, a=setup
// active), and what the server's SDP tells the client (transport, forwarded tracks).
//
// Pure: no clock, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe.hpp"
#include "sdp/model.hpp"
#include "transport/peer_config.hpp"

namespace rrtc::loadgen {

inline constexpr std::uint8_t kOpusPayloadType = 111;
inline constexpr std::uint8_t kVp8PayloadType = 96;
inline constexpr const char* kAudioMid = "0";
inline constexpr const char* kVideoMid = "1";

// The client's transport identity, the same in every SDP of one PeerConnection.
struct LocalIdentity {
  std::string ice_ufrag;
  std::string ice_pwd;
  sdp::Fingerprint fingerprint;  // sha-256
  std::string session_id = "1";
  std::string cname;
  // Negotiate transport-wide-cc (--transport-cc on, as browsers do): off, publishers do not offer
  // the extension and receivers answer the server's offers without it and its rtcp-fb, so the
  // server has no send-side estimate for them (the loadgen's behaviour before issue 17).
  bool transport_cc = true;
};

struct PublishedStreams {
  std::string participant_id;
  bool audio = true;
  bool video = true;
  std::uint32_t audio_ssrc = 0;
  std::uint32_t video_ssrc = 0;
  // 3: rid simulcast (q, h, f) as Chromium offers it: a=rid:<rid> send lines and
  // a=simulcast:send q;h;f, no a=ssrc for the video (its SSRCs are learned from the rid
  // extension). 1: one stream with a=ssrc.
  unsigned layers = 1;
};

// Header extension ids as we offer them (Chromium's numbers) and as an answer accepted them.
inline constexpr std::uint8_t kTransportCcExtensionId = 3;
inline constexpr std::uint8_t kMidExtensionId = 4;
inline constexpr std::uint8_t kRidExtensionId = 10;
inline constexpr std::uint8_t kRepairedRidExtensionId = 11;
struct ExtensionIds {
  std::uint8_t transport_cc = 0;  // 0: not accepted
  std::uint8_t mid = 0;
  std::uint8_t rid = 0;
  friend bool operator==(const ExtensionIds&, const ExtensionIds&) = default;
};
// The ids the answer's m-line `mid` accepted.
ExtensionIds accepted_extensions(const sdp::SessionDescription& answer, const std::string& mid);
// The ids a publisher stamps: mid and rid as the video m-line accepted them; the transport-wide
// number as the video m-line accepted it, else the audio one (an audio-only publisher). Without
// transport-wide-cc the rid stays the video m-line's: the server learns simulcast SSRCs from it.
ExtensionIds sender_extensions(const sdp::SessionDescription& answer);
// Whether the answer's video m-line accepted our simulcast (a=simulcast with recv rids).
bool answer_accepts_simulcast(const sdp::SessionDescription& answer);

// Audio in mid "0", video in mid "1" (whichever are enabled, in that order), BUNDLE, rtcp-mux,
// a=setup:actpass; transport-wide-cc and sdes:mid on both, rtp-stream-id and
// repaired-rtp-stream-id on video, rtcp-fb transport-cc on both codecs.
sdp::SessionDescription publisher_offer(const LocalIdentity& local, const PublishedStreams& streams,
                                        std::uint64_t version);
// What a receive-only participant offers: a data channel m-line (as a page that opens a data
// channel first), or a recvonly Opus m-line (as a page that adds a receive-only transceiver).
// Either way it sends no media.
enum class SubscriberOffer : std::uint8_t { data_channel, recvonly_audio };
sdp::SessionDescription subscriber_offer(const LocalIdentity& local, std::uint64_t version,
                                         SubscriberOffer kind = SubscriberOffer::data_channel);

// One track the server forwards to us, from its offer.
struct ForwardedTrack {
  std::string mid;
  std::string participant_id;  // msid stream id
  std::string track_id;        // "<participant>-audio" / "-camera"
  StreamKind kind = StreamKind::audio;
  std::uint32_t ssrc = 0;
  std::uint32_t rtx_ssrc = 0;
  std::uint8_t payload_type = 0;      // Opus / VP8 as the server numbers them
  std::uint8_t rtx_payload_type = 0;  // 0: none
  std::uint32_t clock_rate = 90000;
};

struct ServerOfferAnswer {
  sdp::SessionDescription answer;
  std::vector<ForwardedTrack> tracks;  // live forwarded tracks we accepted
  // The server's transport-wide-cc id on the forwarded m-lines when it also offered rtcp-fb
  // transport-cc (so we send feedback); 0: not negotiated.
  std::uint8_t transport_cc_extension_id = 0;
};

// Answers a server offer: each m-line mirrored with the same mid; forwarded (sendonly) tracks
// answered recvonly with the codecs we take (Opus, VP8, VP8's RTX) and every offered extension
// and feedback echoed; our own published m-lines sendonly with our a=ssrc again; the data
// channel kept; port-0 m-lines rejected. nullopt if the offer has no live m-line we can take.
std::optional<ServerOfferAnswer> answer_server_offer(const sdp::SessionDescription& offer,
                                                     const LocalIdentity& local,
                                                     const PublishedStreams* published,
                                                     std::uint64_t version);

// The server's ICE credentials, fingerprints and candidates, from the BUNDLE-tagged m-line of
// its answer (or session level).
struct RemoteTransportInfo {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<sdp::Fingerprint> fingerprints;
  std::vector<std::string> candidates;  // "candidate:..." lines
};
std::optional<RemoteTransportInfo> remote_transport(const sdp::SessionDescription& answer);
// The client's Peer configuration for that server: its credentials, every fingerprint we can
// check, DTLS active (the server answers passive).
transport::PeerConfig client_peer_config(const RemoteTransportInfo& remote);

}  // namespace rrtc::loadgen
