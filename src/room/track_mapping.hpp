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
// with the original SSRC); header extensions ssrc-audio-level, abs-send-time and
// video-orientation (mid, rid and transport-wide-cc are per hop and removed); RTCP feedback nack,
// nack pli, ccm fir and goog-remb.
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
  std::vector<std::pair<std::uint8_t, std::uint8_t>> payload_types;  // publisher -> offered
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
