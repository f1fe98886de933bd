#include "sdp/section_builder.hpp"

#include "sdp/text.hpp"

namespace rrtc::sdp::detail {

SessionDescription session_skeleton(const LocalTransport& transport) {
  SessionDescription session;
  session.origin.session_id = transport.session_id;
  session.origin.session_version = std::to_string(transport.session_version);
  session.origin.address = "127.0.0.1";
  session.other_attributes.push_back(Attribute{"msid-semantic", " WMS *", true});
  return session;
}

void add_local_transport(MediaSection& media, const LocalTransport& transport, Setup setup) {
  media.port = 9;
  media.connection = Connection{};
  media.ice_ufrag = transport.ice_ufrag;
  media.ice_pwd = transport.ice_pwd;
  media.ice_options = {"trickle"};
  media.fingerprints = {transport.fingerprint};
  media.setup = setup;
  media.candidates = transport.candidates;
  media.end_of_candidates = transport.end_of_candidates;
}

MediaSection rejected_section(const MediaSection& offered) {
  MediaSection media;
  media.media = offered.media;
  media.port = 0;
  media.protocol = offered.protocol;
  if (!offered.formats.empty()) {
    media.formats.push_back(offered.formats.front());
    // Keep the format's rtpmap so a parser that checks dynamic payload types is satisfied.
    const auto pt = text::to_uint<std::uint8_t>(offered.formats.front());
    if (const Codec* codec = pt ? offered.find_codec(*pt) : nullptr; codec && codec->has_rtpmap) {
      Codec kept = *codec;
      kept.fmtp.clear();
      kept.feedback.clear();
      media.codecs.push_back(std::move(kept));
    }
  }
  media.connection = Connection{};
  media.mid = offered.mid;
  if (offered.kind() == MediaKind::audio || offered.kind() == MediaKind::video) {
    media.direction = Direction::inactive;
  }
  return media;
}

void add_sending_track(MediaSection& media, const SendingTrack& track) {
  media.msids = {Msid{track.stream_id, track.track_id}};
  const std::string msid = track.stream_id + ' ' + track.track_id;
  std::vector<std::uint32_t> ssrcs{track.ssrc};
  if (track.rtx_ssrc != 0) {
    ssrcs.push_back(track.rtx_ssrc);
    media.ssrc_groups = {SsrcGroup{"FID", ssrcs}};
  }
  media.ssrcs.clear();
  for (std::uint32_t ssrc : ssrcs) {
    media.ssrcs.push_back(
        Ssrc{ssrc, {Attribute{"cname", track.cname, true}, Attribute{"msid", msid, true}}});
  }
}

void set_formats_from_codecs(MediaSection& media) {
  media.formats.clear();
  for (const Codec& codec : media.codecs) {
    media.formats.push_back(std::to_string(codec.payload_type));
  }
}

}  // namespace rrtc::sdp::detail
