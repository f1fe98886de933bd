#include "room/track_mapping.hpp"

#include <algorithm>
#include <cctype>

#include "sdp/capabilities.hpp"
#include "sdp/codec_match.hpp"

namespace rrtc::room {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const sdp::Capabilities& capabilities() {
  static const sdp::Capabilities caps = sdp::default_capabilities();
  return caps;
}

TrackType to_room(sdp::TrackType type) {
  switch (type) {
    case sdp::TrackType::audio:
      return TrackType::audio;
    case sdp::TrackType::camera:
      return TrackType::camera;
    case sdp::TrackType::screen:
      break;
  }
  return TrackType::screen;
}

sdp::TrackType to_sdp(TrackType type) {
  switch (type) {
    case TrackType::audio:
      return sdp::TrackType::audio;
    case TrackType::camera:
      return sdp::TrackType::camera;
    case TrackType::screen:
      break;
  }
  return sdp::TrackType::screen;
}

std::optional<rtp::VideoCodec> video_codec(const sdp::Codec& codec) {
  if (iequals(codec.name, "VP8")) return rtp::VideoCodec::kVp8;
  if (iequals(codec.name, "VP9")) return rtp::VideoCodec::kVp9;
  if (iequals(codec.name, "H264")) return rtp::VideoCodec::kH264;
  if (iequals(codec.name, "AV1")) return rtp::VideoCodec::kAv1;
  return std::nullopt;
}

bool has_feedback(const sdp::Codec& codec, std::string_view type, std::string_view parameter) {
  return std::any_of(codec.feedback.begin(), codec.feedback.end(), [&](const auto& fb) {
    return iequals(fb.type, type) && iequals(fb.param, parameter);
  });
}

// The capability a codec is an instance of (same codec and the fmtp that matters).
const sdp::CodecCapability* capability_of(const sdp::Codec& codec) {
  for (const auto& cap : capabilities().codecs) {
    if (sdp::codec_matches(codec, cap)) return &cap;
  }
  return nullptr;
}

bool forwarded_extension(std::string_view uri, bool video) {
  if (uri == sdp::uri::kAudioLevel) return !video;
  return uri == sdp::uri::kAbsSendTime || uri == sdp::uri::kTransportWideCc ||
         (video && uri == sdp::uri::kVideoOrientation);
}

// transport-cc only with the extension's slot (see the header).
bool forwarded_feedback(const sdp::RtcpFeedback& fb, bool transport_cc_slot) {
  return (iequals(fb.type, "nack") && (fb.param.empty() || iequals(fb.param, "pli"))) ||
         (iequals(fb.type, "ccm") && iequals(fb.param, "fir")) || iequals(fb.type, "goog-remb") ||
         (transport_cc_slot && iequals(fb.type, "transport-cc") && fb.param.empty());
}

std::uint8_t extension_id(const sdp::NegotiatedMedia& media, std::string_view uri) {
  for (const auto& ext : media.extensions) {
    if (ext.uri == uri && ext.id >= 1 && ext.id <= 255) return static_cast<std::uint8_t>(ext.id);
  }
  return 0;
}

// RFC 8853 rid layers in the offer's a=simulcast order, or the legacy a=ssrc-group:SIM SSRCs
// (low to high) with their a=ssrc-group:FID repair SSRCs; empty for a single stream.
std::vector<PublishedLayer> layers_of(const sdp::NegotiatedMedia& media) {
  std::vector<PublishedLayer> layers;
  for (const auto& offered : media.simulcast) {
    PublishedLayer layer;
    layer.rid = offered.rid;
    layer.max_width = offered.restrictions.max_width.value_or(0);
    layer.max_height = offered.restrictions.max_height.value_or(0);
    layers.push_back(std::move(layer));
  }
  if (!layers.empty() || media.simulcast_ssrcs.size() < 2) return layers;
  for (const std::uint32_t ssrc : media.simulcast_ssrcs) {
    PublishedLayer layer;
    layer.ssrc = ssrc;
    for (const auto& [primary, repair] : media.rtx_pairs) {
      if (primary == ssrc) layer.rtx_ssrc = repair;
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

// The ids forwarded extensions get in a subscriber's BUNDLE, where one id must mean one URI:
// the subscriber's own id for the URI if it uses that id for nothing else (python3-aiortc gives
// ssrc-audio-level and abs-send-time the same id in different m-lines, and keeps one id map per
// transport), else the server's default if free, else the highest free id. Decided for all
// forwarded URIs at once, in a fixed order, so every track offered to one subscriber agrees.
std::vector<std::pair<std::string_view, std::uint16_t>> extension_ids_for(
    const std::vector<sdp::NegotiatedMedia>& own) {
  static constexpr std::string_view kForwarded[] = {sdp::uri::kAudioLevel, sdp::uri::kAbsSendTime,
                                                    sdp::uri::kVideoOrientation,
                                                    sdp::uri::kTransportWideCc};
  std::vector<std::pair<std::string_view, std::uint16_t>> assigned;
  const auto taken = [&](std::uint16_t id, std::string_view uri) {
    for (const auto& media : own) {
      for (const auto& ext : media.extensions) {
        if (ext.id == id && ext.uri != uri) return true;
      }
    }
    return std::any_of(assigned.begin(), assigned.end(),
                       [&](const auto& a) { return a.second == id; });
  };
  for (const std::string_view uri : kForwarded) {
    std::optional<std::uint16_t> id;
    for (const auto& media : own) {
      for (const auto& ext : media.extensions) {
        if (!id && ext.uri == uri && ext.id >= 1 && ext.id <= 14 && !taken(ext.id, uri)) {
          id = ext.id;
        }
      }
    }
    for (const auto& cap : capabilities().extensions) {
      if (!id && cap.uri == uri && !taken(cap.id, uri)) id = cap.id;
    }
    for (std::uint16_t candidate = 14; !id && candidate >= 1; --candidate) {
      if (!taken(candidate, uri)) id = candidate;
    }
    if (id) assigned.emplace_back(uri, *id);
  }
  return assigned;
}

// Simulcast: each layer has its own SSRCs and the track as a whole none.
void set_sources(const sdp::NegotiatedMedia& media, PublishedTrack& track) {
  track.layers = layers_of(media);
  if (!track.layers.empty()) return;
  if (!media.rtx_pairs.empty()) {
    track.ssrc = media.rtx_pairs.front().first;
    track.rtx_ssrc = media.rtx_pairs.front().second;
  } else if (!media.simulcast_ssrcs.empty()) {
    track.ssrc = media.simulcast_ssrcs.front();
  } else if (!media.ssrcs.empty()) {
    track.ssrc = media.ssrcs.front();
  }
}

}  // namespace

std::vector<PublishedMedia> published_media(const std::string& participant,
                                            const sdp::Answer& answer) {
  std::vector<PublishedMedia> out;
  unsigned ordinals[3] = {0, 0, 0};
  for (const auto& media : answer.media) {
    if (!media.accepted || !media.track_type || media.codecs.empty()) continue;
    if (media.kind != sdp::MediaKind::audio && media.kind != sdp::MediaKind::video) continue;
    PublishedMedia published;
    published.media = media;
    PublishedTrack& track = published.track;
    track.key = participant + "/" + media.mid;
    track.mid = media.mid;
    track.type = to_room(*media.track_type);
    track.video = media.kind == sdp::MediaKind::video;
    published.ordinal = ++ordinals[static_cast<int>(track.type)];
    for (const auto& negotiated : media.codecs) {
      if (sdp::is_red(negotiated.codec) || sdp::is_rtx(negotiated.codec)) continue;
      PublishedCodec codec;
      codec.payload_type = negotiated.codec.payload_type;
      codec.rtx_payload_type = negotiated.rtx_payload_type;
      codec.clock_rate = negotiated.codec.clock_rate != 0 ? negotiated.codec.clock_rate
                                                          : (track.video ? 90000 : 48000);
      if (track.video) codec.video_codec = video_codec(negotiated.codec);
      codec.nack = has_feedback(negotiated.codec, "nack", "");
      codec.pli = has_feedback(negotiated.codec, "nack", "pli");
      codec.fir = has_feedback(negotiated.codec, "ccm", "fir");
      track.remb = track.remb || has_feedback(negotiated.codec, "goog-remb", "");
      track.transport_cc = track.transport_cc || has_feedback(negotiated.codec, "transport-cc", "");
      track.codecs.push_back(codec);
    }
    if (track.codecs.empty()) continue;
    set_sources(media, track);
    track.mid_extension_id = extension_id(media, sdp::uri::kMid);
    if (!track.video) track.audio_level_extension_id = extension_id(media, sdp::uri::kAudioLevel);
    track.rid_extension_id = extension_id(media, sdp::uri::kRtpStreamId);
    track.repaired_rid_extension_id = extension_id(media, sdp::uri::kRepairedRtpStreamId);
    track.transport_cc_extension_id = extension_id(media, sdp::uri::kTransportWideCc);
    out.push_back(std::move(published));
  }
  return out;
}

PublishedTrackInfo track_info(const std::string& participant, const PublishedMedia& published) {
  sdp::ForwardedTrack named;
  named.participant_id = participant;
  named.type = to_sdp(published.track.type);
  named.ordinal = published.ordinal;
  PublishedTrackInfo info;
  info.track_id = sdp::msid_track_id(named);
  info.mid = published.track.mid;
  info.type = published.track.type;
  for (const auto& negotiated : published.media.codecs) {
    if (sdp::is_red(negotiated.codec) || sdp::is_rtx(negotiated.codec)) continue;
    info.codec = negotiated.codec.name;
    break;
  }
  return info;
}

OfferedTrack offer_track(const std::string& publisher, const PublishedMedia& published,
                         const std::vector<sdp::NegotiatedMedia>& subscriber_media,
                         std::uint32_t ssrc) {
  OfferedTrack offered;
  const PublishedTrack& source = published.track;
  offered.video = source.video;
  offered.clock_rate = source.codecs.front().clock_rate;
  sdp::ForwardedTrack& track = offered.track;
  track.id = source.key;
  track.participant_id = publisher;
  track.type = to_sdp(source.type);
  track.ordinal = published.ordinal;
  track.kind = source.video ? sdp::MediaKind::video : sdp::MediaKind::audio;
  track.ssrc = ssrc;
  track.cname = publisher;

  const bool transport_cc_slot = source.transport_cc_extension_id != 0;
  std::vector<std::uint8_t> used;
  for (const auto& negotiated : published.media.codecs) {
    const sdp::Codec& codec = negotiated.codec;
    if (sdp::is_red(codec) || sdp::is_rtx(codec)) continue;
    const sdp::CodecCapability* cap = capability_of(codec);
    std::optional<std::uint8_t> pt;
    // The subscriber's own number for this codec, if it publishes one.
    for (const auto& media : subscriber_media) {
      for (const auto& own : media.codecs) {
        if (!pt && cap != nullptr && sdp::codec_matches(own.codec, *cap)) {
          pt = own.codec.payload_type;
        }
      }
    }
    if (!pt) pt = cap != nullptr ? cap->payload_type : codec.payload_type;
    if (std::find(used.begin(), used.end(), *pt) != used.end()) continue;
    used.push_back(*pt);
    sdp::Codec out = codec;
    out.payload_type = *pt;
    out.feedback.clear();
    for (const auto& fb : codec.feedback) {
      if (forwarded_feedback(fb, transport_cc_slot)) out.feedback.push_back(fb);
    }
    track.codecs.push_back(std::move(out));
    offered.payload_types.emplace_back(codec.payload_type, *pt);
  }
  const auto ids = extension_ids_for(subscriber_media);
  for (const auto& ext : published.media.extensions) {
    if (!forwarded_extension(ext.uri, source.video)) continue;
    const auto it =
        std::find_if(ids.begin(), ids.end(), [&](const auto& a) { return a.first == ext.uri; });
    if (it == ids.end()) continue;
    const std::optional<std::uint16_t> id = it->second;
    sdp::Extmap out;
    out.id = *id;
    out.uri = ext.uri;
    track.extensions.push_back(std::move(out));
    offered.extension_ids.emplace_back(ext.id, *id);
  }
  return offered;
}

Subscription subscription_for(const OfferedTrack& offered, const sdp::SentMedia& sent) {
  Subscription subscription;
  subscription.track_key = offered.track.id;
  subscription.ssrc = offered.track.ssrc;
  subscription.clock_rate = offered.clock_rate;
  subscription.video = offered.video;
  subscription.track_id = sdp::msid_track_id(offered.track);
  subscription.type = to_room(offered.track.type);
  subscription.nack = sent.nack;
  subscription.payload_types.fill(kNoPayloadType);
  subscription.extension_ids.fill(0);
  for (const auto& mapping : offered.payload_types) {
    const std::uint8_t from = mapping.first;
    const std::uint8_t to = mapping.second;
    const bool kept = std::any_of(sent.codecs.begin(), sent.codecs.end(),
                                  [&](const sdp::Codec& c) { return c.payload_type == to; });
    if (kept) subscription.payload_types[from & 0x7f] = to;
  }
  for (const auto& mapping : offered.extension_ids) {
    const std::uint16_t from = mapping.first;
    const std::uint16_t to = mapping.second;
    if (from == 0 || from > 255) continue;
    // Kept when the answer lists the same extension under the offered id.
    const auto offered_ext =
        std::find_if(offered.track.extensions.begin(), offered.track.extensions.end(),
                     [&](const sdp::Extmap& e) { return e.id == to; });
    const auto it =
        std::find_if(sent.extensions.begin(), sent.extensions.end(), [&](const sdp::Extmap& e) {
          return e.id == to && offered_ext != offered.track.extensions.end() &&
                 e.uri == offered_ext->uri;
        });
    if (it != sent.extensions.end() && it->id < 256) {
      subscription.extension_ids[from] = static_cast<std::uint8_t>(it->id);
      if (it->uri == sdp::uri::kTransportWideCc) {
        subscription.transport_cc_extension_id = static_cast<std::uint8_t>(it->id);
      }
    }
  }
  // Feedback without sequence numbers to report on would be empty (see the header).
  subscription.transport_cc = sent.transport_cc && subscription.transport_cc_extension_id != 0;
  return subscription;
}

}  // namespace rrtc::room
