// Tracks and a browser-like answerer shared by the server-offer tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sdp/capabilities.hpp"
#include "sdp/server_offer.hpp"

namespace rrtc::sdp::test {

inline Codec codec(std::uint8_t pt, std::string name, std::uint32_t clock, std::uint16_t channels,
                   std::vector<FmtpParam> fmtp = {}) {
  Codec c;
  c.payload_type = pt;
  c.has_rtpmap = true;
  c.name = std::move(name);
  c.clock_rate = clock;
  c.channels = channels;
  c.fmtp = std::move(fmtp);
  return c;
}

inline ForwardedTrack audio_track(std::string participant, std::uint32_t ssrc) {
  ForwardedTrack t;
  t.id = participant + "/audio";
  t.participant_id = participant;
  t.type = TrackType::audio;
  t.kind = MediaKind::audio;
  t.codecs = {codec(111, "opus", 48000, 2, {{"minptime", "10", true}})};
  t.extensions = {{1, std::nullopt, uri::kAudioLevel, ""}, {4, std::nullopt, uri::kMid, ""}};
  t.ssrc = ssrc;
  t.cname = participant;
  return t;
}

inline ForwardedTrack video_track(std::string participant, TrackType type, std::uint32_t ssrc,
                                  unsigned ordinal = 1) {
  ForwardedTrack t;
  t.id = participant + "/" + std::string(to_string(type)) + std::to_string(ordinal);
  t.participant_id = participant;
  t.type = type;
  t.ordinal = ordinal;
  t.kind = MediaKind::video;
  Codec vp8 = codec(96, "VP8", 90000, 0);
  vp8.feedback = {{"nack", ""}, {"nack", "pli"}};
  t.codecs = {vp8, codec(97, "rtx", 90000, 0, {{"apt", "96", true}})};
  t.extensions = {{4, std::nullopt, uri::kMid, ""}, {3, std::nullopt, uri::kTransportWideCc, ""}};
  t.ssrc = ssrc;
  t.rtx_ssrc = ssrc + 1;
  t.cname = participant;
  return t;
}

// What a browser answers: same m-lines, setup active, directions reversed.
inline SessionDescription client_answer(const SessionDescription& offer) {
  SessionDescription answer = offer;
  answer.origin.session_id = "99";
  for (MediaSection& m : answer.media) {
    m.ice_ufrag = "cliU";
    m.ice_pwd = "clientpassword0123456789";
    m.candidates.clear();
    if (m.port == 0) continue;
    m.setup = Setup::active;
    if (m.direction) m.direction = reverse(*m.direction);
    m.msids.clear();
    m.ssrcs.clear();
    m.ssrc_groups.clear();
  }
  return answer;
}

}  // namespace rrtc::sdp::test
