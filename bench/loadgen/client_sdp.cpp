#include "client_sdp.hpp"

#include <algorithm>

#include "dtls/fingerprint.hpp"
#include "media_config.hpp"
#include "sdp/candidate.hpp"
#include "sdp/capabilities.hpp"

namespace rrtc::loadgen {
namespace {

bool iequals(const std::string& a, const char* b) {
  const std::string other(b);
  return a.size() == other.size() &&
         std::equal(a.begin(), a.end(), other.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

sdp::SessionDescription skeleton(const LocalIdentity& local, std::uint64_t version) {
  sdp::SessionDescription session;
  session.origin.session_id = local.session_id;
  session.origin.session_version = std::to_string(version);
  session.origin.address = "127.0.0.1";
  session.other_attributes.push_back(sdp::Attribute{"msid-semantic", " WMS *", true});
  return session;
}

void add_transport(sdp::MediaSection& media, const LocalIdentity& local, sdp::Setup setup) {
  media.port = 9;
  media.connection = sdp::Connection{};
  media.ice_ufrag = local.ice_ufrag;
  media.ice_pwd = local.ice_pwd;
  media.ice_options = {"trickle"};
  media.fingerprints = {local.fingerprint};
  media.setup = setup;
}

void set_formats(sdp::MediaSection& media) {
  media.formats.clear();
  for (const auto& codec : media.codecs)
    media.formats.push_back(std::to_string(codec.payload_type));
}

void add_ssrc(sdp::MediaSection& media, std::uint32_t ssrc, const std::string& cname,
              const std::string& stream_id, const std::string& track_id) {
  media.msids = {sdp::Msid{stream_id, track_id}};
  media.ssrcs = {sdp::Ssrc{ssrc,
                           {sdp::Attribute{"cname", cname, true},
                            sdp::Attribute{"msid", stream_id + ' ' + track_id, true}}}};
}

sdp::Codec opus() {
  sdp::Codec c;
  c.payload_type = kOpusPayloadType;
  c.has_rtpmap = true;
  c.name = "opus";
  c.clock_rate = 48000;
  c.channels = 2;
  c.fmtp = {{"minptime", "10"}, {"useinbandfec", "1"}};
  c.feedback = {{"transport-cc", ""}};
  return c;
}

sdp::Codec vp8() {
  sdp::Codec c;
  c.payload_type = kVp8PayloadType;
  c.has_rtpmap = true;
  c.name = "VP8";
  c.clock_rate = 90000;
  c.feedback = {
      {"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
  return c;
}

sdp::Extmap extmap(std::uint8_t id, const char* uri) {
  sdp::Extmap e;
  e.id = id;
  e.uri = uri;
  return e;
}

// The offered extensions; rtp-stream-id and its repaired form on video only.
std::vector<sdp::Extmap> publisher_extmaps(bool video, bool transport_cc) {
  std::vector<sdp::Extmap> out;
  if (transport_cc) out.push_back(extmap(kTransportCcExtensionId, sdp::uri::kTransportWideCc));
  out.push_back(extmap(kMidExtensionId, sdp::uri::kMid));
  if (video) {
    out.push_back(extmap(kRidExtensionId, sdp::uri::kRtpStreamId));
    out.push_back(extmap(kRepairedRidExtensionId, sdp::uri::kRepairedRtpStreamId));
  }
  return out;
}

// RFC 8851 / 8853 as Chromium writes them: a=rid:q send, a=rid:h send, a=rid:f send,
// a=simulcast:send q;h;f. The msid stays; the SSRCs are not signalled.
void add_simulcast(sdp::MediaSection& media) {
  sdp::Simulcast simulcast;
  for (const auto& layer : kLayerShapes) {
    media.rids.push_back(sdp::Rid{layer.rid, sdp::RidDirection::send, ""});
    simulcast.send.push_back({sdp::SimulcastRid{layer.rid, false}});
  }
  media.simulcast = std::move(simulcast);
}

sdp::MediaSection publisher_section(const LocalIdentity& local, const PublishedStreams& streams,
                                    StreamKind kind) {
  sdp::MediaSection media;
  const bool audio = kind == StreamKind::audio;
  media.media = audio ? "audio" : "video";
  media.protocol = "UDP/TLS/RTP/SAVPF";
  add_transport(media, local, sdp::Setup::actpass);
  media.mid = audio ? kAudioMid : kVideoMid;
  media.direction = sdp::Direction::sendonly;
  media.rtcp_mux = true;
  media.rtcp_rsize = true;
  media.codecs = {audio ? opus() : vp8()};
  set_formats(media);
  media.extmaps = publisher_extmaps(!audio, local.transport_cc);
  const std::string track = streams.participant_id + (audio ? "-audio" : "-camera");
  if (!audio && streams.layers > 1) {
    media.msids = {sdp::Msid{streams.participant_id, track}};
    add_simulcast(media);
  } else {
    add_ssrc(media, audio ? streams.audio_ssrc : streams.video_ssrc, local.cname,
             streams.participant_id, track);
  }
  return media;
}

// The codecs we take from a server m-line: the first Opus or VP8, and VP8's RTX.
std::vector<sdp::Codec> accepted_codecs(const sdp::MediaSection& offered, ForwardedTrack& track) {
  std::vector<sdp::Codec> out;
  const char* name = offered.kind() == sdp::MediaKind::audio ? "opus" : "VP8";
  for (const auto& codec : offered.codecs) {
    if (iequals(codec.name, name)) {
      out.push_back(codec);
      track.payload_type = codec.payload_type;
      track.clock_rate = codec.clock_rate;
      break;
    }
  }
  if (out.empty()) return out;
  for (const auto& codec : offered.codecs) {
    if (!iequals(codec.name, "rtx")) continue;
    const auto apt = std::find_if(codec.fmtp.begin(), codec.fmtp.end(),
                                  [](const sdp::FmtpParam& p) { return p.key == "apt"; });
    if (apt != codec.fmtp.end() && apt->value == std::to_string(track.payload_type)) {
      out.push_back(codec);
      track.rtx_payload_type = codec.payload_type;
      break;
    }
  }
  return out;
}

void describe_sources(const sdp::MediaSection& offered, ForwardedTrack& track) {
  if (!offered.msids.empty()) {
    track.participant_id = offered.msids.front().stream_id;
    track.track_id = offered.msids.front().track_id;
  }
  for (const auto& group : offered.ssrc_groups) {
    if (group.semantics == "FID" && group.ssrcs.size() == 2) {
      track.ssrc = group.ssrcs[0];
      track.rtx_ssrc = group.ssrcs[1];
    }
  }
  if (track.ssrc == 0 && !offered.ssrcs.empty()) track.ssrc = offered.ssrcs.front().ssrc;
  for (const auto& ssrc : offered.ssrcs) {
    for (const auto& attr : ssrc.attributes) {
      if (attr.name != "msid" || !track.participant_id.empty()) continue;
      const auto space = attr.value.find(' ');
      track.participant_id = attr.value.substr(0, space);
      if (space != std::string::npos) track.track_id = attr.value.substr(space + 1);
    }
  }
}

sdp::MediaSection rejected(const sdp::MediaSection& offered) {
  sdp::MediaSection media;
  media.media = offered.media;
  media.port = 0;
  media.protocol = offered.protocol;
  media.formats = offered.formats.empty() ? std::vector<std::string>{}
                                          : std::vector<std::string>{offered.formats.front()};
  if (!offered.formats.empty()) {
    for (const auto& codec : offered.codecs) {
      if (std::to_string(codec.payload_type) == offered.formats.front()) {
        sdp::Codec kept = codec;
        kept.fmtp.clear();
        kept.feedback.clear();
        media.codecs.push_back(kept);
      }
    }
  }
  media.connection = sdp::Connection{};
  media.mid = offered.mid;
  if (offered.kind() == sdp::MediaKind::audio || offered.kind() == sdp::MediaKind::video) {
    media.direction = sdp::Direction::inactive;
  }
  return media;
}

bool live(const sdp::MediaSection& media) { return media.port != 0 || media.bundle_only; }

}  // namespace

sdp::SessionDescription publisher_offer(const LocalIdentity& local, const PublishedStreams& streams,
                                        std::uint64_t version) {
  auto session = skeleton(local, version);
  sdp::Group bundle{"BUNDLE", {}};
  if (streams.audio) session.media.push_back(publisher_section(local, streams, StreamKind::audio));
  if (streams.video) session.media.push_back(publisher_section(local, streams, StreamKind::video));
  for (const auto& media : session.media) bundle.mids.push_back(media.mid);
  session.groups.push_back(std::move(bundle));
  return session;
}

sdp::SessionDescription subscriber_offer(const LocalIdentity& local, std::uint64_t version,
                                         SubscriberOffer kind) {
  auto session = skeleton(local, version);
  if (kind == SubscriberOffer::recvonly_audio) {
    sdp::MediaSection media;
    media.media = "audio";
    media.protocol = "UDP/TLS/RTP/SAVPF";
    add_transport(media, local, sdp::Setup::actpass);
    media.mid = kAudioMid;
    media.direction = sdp::Direction::recvonly;
    media.rtcp_mux = true;
    media.rtcp_rsize = true;
    media.codecs = {opus()};
    set_formats(media);
    session.media.push_back(std::move(media));
    session.groups.push_back(sdp::Group{"BUNDLE", {kAudioMid}});
    return session;
  }
  sdp::MediaSection media;
  media.media = "application";
  media.protocol = "UDP/DTLS/SCTP";
  media.formats = {"webrtc-datachannel"};
  add_transport(media, local, sdp::Setup::actpass);
  media.mid = kAudioMid;
  media.sctp_port = 5000;
  media.max_message_size = 262144;
  session.media.push_back(std::move(media));
  session.groups.push_back(sdp::Group{"BUNDLE", {kAudioMid}});
  return session;
}

std::optional<ServerOfferAnswer> answer_server_offer(const sdp::SessionDescription& offer,
                                                     const LocalIdentity& local,
                                                     const PublishedStreams* published,
                                                     std::uint64_t version) {
  ServerOfferAnswer out;
  out.answer = skeleton(local, version);
  out.answer.extmap_allow_mixed = offer.extmap_allow_mixed;
  sdp::Group bundle{"BUNDLE", {}};
  for (const auto& offered : offer.media) {
    if (!live(offered)) {
      out.answer.media.push_back(rejected(offered));
      continue;
    }
    sdp::MediaSection media;
    media.media = offered.media;
    media.protocol = offered.protocol;
    add_transport(media, local, sdp::Setup::active);
    media.mid = offered.mid;
    const auto kind = offered.kind();
    if (kind == sdp::MediaKind::application) {
      media.formats = offered.formats;
      media.sctp_port = offered.sctp_port;
      media.sctpmap = offered.sctpmap;
      media.max_message_size = 262144;
    } else if (kind == sdp::MediaKind::audio || kind == sdp::MediaKind::video) {
      ForwardedTrack track;
      track.mid = offered.mid;
      track.kind = kind == sdp::MediaKind::audio ? StreamKind::audio : StreamKind::video;
      media.codecs = accepted_codecs(offered, track);
      if (media.codecs.empty()) {
        out.answer.media.push_back(rejected(offered));
        continue;
      }
      set_formats(media);
      media.extmaps = offered.extmaps;
      for (auto& ext : media.extmaps) ext.direction.reset();
      if (!local.transport_cc) {
        std::erase_if(media.extmaps,
                      [](const sdp::Extmap& e) { return e.uri == sdp::uri::kTransportWideCc; });
        for (auto& codec : media.codecs) {
          std::erase_if(codec.feedback, [](const auto& fb) { return fb.type == "transport-cc"; });
        }
      }
      media.rtcp_mux = true;
      media.rtcp_rsize = offered.rtcp_rsize;
      const auto direction = offered.effective_direction();
      const bool ours =
          published != nullptr && (offered.mid == kAudioMid || offered.mid == kVideoMid);
      if (direction == sdp::Direction::sendonly || direction == sdp::Direction::sendrecv) {
        media.direction = sdp::Direction::recvonly;
        describe_sources(offered, track);
        const bool feedback =
            std::any_of(offered.codecs.begin(), offered.codecs.end(), [](const sdp::Codec& codec) {
              return std::any_of(codec.feedback.begin(), codec.feedback.end(),
                                 [](const auto& fb) { return fb.type == "transport-cc"; });
            });
        for (const auto& ext : offered.extmaps) {
          if (local.transport_cc && feedback && ext.uri == sdp::uri::kTransportWideCc &&
              ext.id <= 255) {
            out.transport_cc_extension_id = static_cast<std::uint8_t>(ext.id);
          }
        }
        out.tracks.push_back(std::move(track));
      } else if (ours && direction == sdp::Direction::recvonly) {
        media.direction = sdp::Direction::sendonly;
        const bool audio = offered.mid == kAudioMid;
        const std::string track = published->participant_id + (audio ? "-audio" : "-camera");
        if (!audio && published->layers > 1) {
          media.msids = {sdp::Msid{published->participant_id, track}};
          add_simulcast(media);
        } else {
          add_ssrc(media, audio ? published->audio_ssrc : published->video_ssrc, local.cname,
                   published->participant_id, track);
        }
      } else {
        media.direction = sdp::Direction::inactive;
      }
    } else {
      out.answer.media.push_back(rejected(offered));
      continue;
    }
    bundle.mids.push_back(media.mid);
    out.answer.media.push_back(std::move(media));
  }
  if (bundle.mids.empty()) return std::nullopt;
  out.answer.groups.push_back(std::move(bundle));
  return out;
}

ExtensionIds accepted_extensions(const sdp::SessionDescription& answer, const std::string& mid) {
  ExtensionIds ids;
  const auto* media = answer.find_media(mid);
  if (media == nullptr || media->port == 0) return ids;
  for (const auto& ext : media->extmaps) {
    if (ext.id == 0 || ext.id > 255) continue;
    const auto id = static_cast<std::uint8_t>(ext.id);
    if (ext.uri == sdp::uri::kTransportWideCc) ids.transport_cc = id;
    if (ext.uri == sdp::uri::kMid) ids.mid = id;
    if (ext.uri == sdp::uri::kRtpStreamId) ids.rid = id;
  }
  return ids;
}

ExtensionIds sender_extensions(const sdp::SessionDescription& answer) {
  ExtensionIds ids = accepted_extensions(answer, kVideoMid);
  if (ids.transport_cc == 0) ids.transport_cc = accepted_extensions(answer, kAudioMid).transport_cc;
  return ids;
}

bool answer_accepts_simulcast(const sdp::SessionDescription& answer) {
  const auto* media = answer.find_media(kVideoMid);
  return media != nullptr && media->port != 0 && media->simulcast &&
         !media->simulcast->recv.empty();
}

std::optional<RemoteTransportInfo> remote_transport(const sdp::SessionDescription& answer) {
  const sdp::MediaSection* tagged = nullptr;
  if (const auto* group = answer.bundle_group(); group != nullptr && !group->mids.empty()) {
    tagged = answer.find_media(group->mids.front());
  }
  if (tagged == nullptr) return std::nullopt;
  RemoteTransportInfo info;
  info.ice_ufrag = tagged->ice_ufrag.empty() ? answer.ice_ufrag : tagged->ice_ufrag;
  info.ice_pwd = tagged->ice_pwd.empty() ? answer.ice_pwd : tagged->ice_pwd;
  info.fingerprints = tagged->fingerprints.empty() ? answer.fingerprints : tagged->fingerprints;
  if (info.ice_ufrag.empty() || info.ice_pwd.empty() || info.fingerprints.empty()) {
    return std::nullopt;
  }
  for (const auto& candidate : tagged->candidates) {
    info.candidates.push_back(sdp::to_string(candidate));
  }
  return info;
}

transport::PeerConfig client_peer_config(const RemoteTransportInfo& remote) {
  transport::PeerConfig config;
  config.remote_credentials = {remote.ice_ufrag, remote.ice_pwd};
  for (const auto& f : remote.fingerprints) {
    if (auto parsed = dtls::Fingerprint::parse(f.algorithm, f.value)) {
      config.dtls.remote_fingerprints.push_back(*parsed);
    }
  }
  config.dtls.role = dtls::Role::Active;
  return config;
}

}  // namespace rrtc::loadgen
