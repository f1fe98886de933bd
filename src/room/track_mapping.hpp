#pragma once
// From negotiated SDP to what the Router needs, and back: a client's published m-line becomes a
// PublishedTrack; a published track becomes the server's m-line offered to a subscriber (an
// OfferedTrack: the SDP side plus how publisher numbers map to the numbers offered); and the
// subscriber's answer to it becomes a Subscription.
//
// Numbers in the server's offers: each codec gets the subscriber's own payload type for that
// codec when the subscriber's published m-lines have it, else the server's default
// (sdp::default_capabilities). Each forwarded header extension gets one id for the whole
// BUNDLE, never one the subscriber uses for another URI (see extension_ids_for in the .cpp:
// aiortc numbers its own m-lines inconsistently).
//
// Forwarded to subscribers: the publisher's codecs except RED and RTX (the server answers NACKs
// with the original SSRC); header extensions ssrc-audio-level, abs-send-time, video-orientation
// and transport-wide-cc (mid, rid and repaired-rid are per hop and removed); RTCP feedback nack,
// nack pli, ccm fir, goog-remb and transport-cc.
//
// Transport-wide-cc is per hop too, but its element is kept as a slot: the Subscription maps the
// publisher's id to the subscriber's, so the rewritten packet still carries 2 bytes the server
// overwrites with the subscriber's own transport-wide sequence number (send-side bandwidth
// estimation, src/bwe). The rewrite cannot add an element, so the extension and rtcp-fb
// transport-cc are offered only for a publisher m-line that has the extension: a publisher
// without it (python3-aiortc) leaves no slot, its tracks are offered without transport-cc, and
// for them the subscriber's REMB is the estimate. Subscription::transport_cc is therefore set
// only together with transport_cc_extension_id.
//
// Simulcast (RFC 8853): a published track with rid layers (or the legacy a=ssrc-group:SIM)
// gets PublishedTrack::layers (see sdp/simulcast.hpp for what the answer accepts) and ssrc /
// rtx_ssrc 0. Subscribers are offered it as one ordinary m-line with one SSRC, never with rids:
// which layer they get is the server's choice per packet.
//
// Pure.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "room/track.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/server_offer.hpp"

namespace rrtc::room {

// The m-lines a client sends on, from the answer the server gave to its offer. `ordinal` per
// track type counts 1, 2, ... in m-line order.
struct PublishedMedia {
  PublishedTrack track;
  sdp::NegotiatedMedia media;
  unsigned ordinal = 1;
};
std::vector<PublishedMedia> published_media(const std::string& participant,
                                            const sdp::Answer& answer);

// How signaling names a published track (PROTOCOL.md v1.1): the track id the server's offers
// give it in a=msid ("<participant>-<type>[-N]"), its mid, type and first codec.
PublishedTrackInfo track_info(const std::string& participant, const PublishedMedia& published);

struct OfferedTrack {
  sdp::ForwardedTrack track;
  std::vector<std::pair<std::uint8_t, std::uint8_t>> payload_types;    // publisher -> offered
  std::vector<std::pair<std::uint16_t, std::uint16_t>> extension_ids;  // publisher -> offered
  std::uint32_t clock_rate = 90000;
  bool video = true;
};
// `subscriber_media`: the subscriber's own published m-lines (for its numbers); `ssrc`: the
// server's SSRC for this track towards this subscriber.
OfferedTrack offer_track(const std::string& publisher, const PublishedMedia& published,
                         const std::vector<sdp::NegotiatedMedia>& subscriber_media,
                         std::uint32_t ssrc);

// What the subscriber's answer kept of an offered track.
Subscription subscription_for(const OfferedTrack& offered, const sdp::SentMedia& sent);

}  // namespace rrtc::room
