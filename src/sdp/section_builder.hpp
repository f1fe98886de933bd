// Pieces of the server's own SDP shared by answers and offers (internal to rrtc_sdp).
#pragma once

#include "sdp/model.hpp"
#include "sdp/negotiator.hpp"

namespace rrtc::sdp::detail {

// o=, s=, t=, a=msid-semantic for the server's descriptions.
SessionDescription session_skeleton(const LocalTransport& transport);

// port 9, c=IN IP4 0.0.0.0, ICE credentials, trickle, fingerprint, setup, candidates.
void add_local_transport(MediaSection& media, const LocalTransport& transport, Setup setup);

// A copy of `offered` reduced to what a rejected (port 0) m-line keeps: kind, protocol, its
// first format, mid, and a=inactive for RTP m-lines.
MediaSection rejected_section(const MediaSection& offered);

// a=msid, a=ssrc-group:FID and a=ssrc cname/msid lines for a track the server sends.
void add_sending_track(MediaSection& media, const SendingTrack& track);

// Writes the m= format list from the codecs, in order.
void set_formats_from_codecs(MediaSection& media);

}  // namespace rrtc::sdp::detail
