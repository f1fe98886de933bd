#include "sdp/rtp_choice.hpp"

#include <algorithm>

#include "sdp/codec_match.hpp"

namespace rrtc::sdp::detail {
namespace {

bool in_formats(const MediaSection& media, const Codec& codec) {
  const std::string pt = std::to_string(codec.payload_type);
  return std::find(media.formats.begin(), media.formats.end(), pt) != media.formats.end();
}

std::vector<RtcpFeedback> intersect(const std::vector<RtcpFeedback>& offered,
                                    const std::vector<RtcpFeedback>& supported) {
  std::vector<RtcpFeedback> out;
  for (const RtcpFeedback& fb : offered) {
    const bool known = std::find(supported.begin(), supported.end(), fb) != supported.end();
    if (known && std::find(out.begin(), out.end(), fb) == out.end()) {
      out.push_back(fb);
    }
  }
  return out;
}

bool chosen(const std::vector<NegotiatedCodec>& codecs, std::uint8_t pt) {
  return std::any_of(codecs.begin(), codecs.end(),
                     [&](const NegotiatedCodec& c) { return c.codec.payload_type == pt; });
}

std::optional<std::uint8_t> find_rtx(const MediaSection& offered, std::uint8_t apt) {
  for (const Codec& codec : offered.codecs) {
    if (codec.has_rtpmap && is_rtx(codec) && in_formats(offered, codec) && rtx_apt(codec) == apt) {
      return codec.payload_type;
    }
  }
  return std::nullopt;
}

void choose_codecs(const MediaSection& offered, const Capabilities& caps, RtpChoice& choice) {
  const MediaKind kind = offered.kind();
  for (const CodecCapability& cap : caps.codecs) {
    if (cap.kind != kind) continue;
    for (const Codec& codec : offered.codecs) {
      if (!codec.has_rtpmap || !in_formats(offered, codec) || is_rtx(codec) || is_red(codec) ||
          chosen(choice.codecs, codec.payload_type) || !codec_matches(codec, cap)) {
        continue;
      }
      NegotiatedCodec negotiated{codec, std::nullopt};
      negotiated.codec.feedback = intersect(codec.feedback, cap.feedback);
      if (cap.rtx_payload_type != 0) {
        negotiated.rtx_payload_type = find_rtx(offered, codec.payload_type);
      }
      choice.codecs.push_back(std::move(negotiated));
      break;
    }
  }
  if (kind != MediaKind::audio || !caps.audio_red || choice.codecs.empty()) return;
  for (const Codec& codec : offered.codecs) {
    if (!codec.has_rtpmap || !is_red(codec) || !in_formats(offered, codec)) continue;
    const auto carried = red_payload_types(codec);
    const bool ok = !carried.empty() && std::all_of(carried.begin(), carried.end(), [&](auto pt) {
      return chosen(choice.codecs, pt);
    });
    if (ok) {
      NegotiatedCodec red{codec, std::nullopt};
      red.codec.feedback.clear();
      choice.codecs.push_back(std::move(red));
      return;
    }
  }
}

void choose_extensions(const MediaSection& offered, const Capabilities& caps, RtpChoice& choice) {
  const bool audio = offered.kind() == MediaKind::audio;
  for (const Extmap& ext : offered.extmaps) {
    const bool supported =
        std::any_of(caps.extensions.begin(), caps.extensions.end(),
                    [&](auto& c) { return c.uri == ext.uri && (audio ? c.audio : c.video); });
    // The one-byte header (RFC 8285 section 4.2) holds ids 1-14 only; two ids for one URI or
    // one id for two URIs in the same m-line are offer errors we drop rather than forward.
    const bool clash = std::any_of(choice.extensions.begin(), choice.extensions.end(),
                                   [&](auto& e) { return e.id == ext.id || e.uri == ext.uri; });
    if (!supported || clash || ext.id > 14) continue;
    Extmap answer{ext.id, std::nullopt, ext.uri, {}};
    if (ext.direction) answer.direction = reverse(*ext.direction);
    choice.extensions.push_back(std::move(answer));
  }
}

}  // namespace

RtpChoice choose_rtp(const MediaSection& offered, const Capabilities& capabilities) {
  RtpChoice choice;
  choose_codecs(offered, capabilities, choice);
  if (!choice.codecs.empty()) {
    choose_extensions(offered, capabilities, choice);
  }
  return choice;
}

std::vector<Codec> answer_codecs(const MediaSection& offered, const RtpChoice& choice) {
  std::vector<Codec> codecs;
  for (const NegotiatedCodec& negotiated : choice.codecs) {
    codecs.push_back(negotiated.codec);
    if (negotiated.rtx_payload_type) {
      Codec rtx = *offered.find_codec(*negotiated.rtx_payload_type);
      rtx.feedback.clear();
      codecs.push_back(std::move(rtx));
    }
  }
  return codecs;
}

}  // namespace rrtc::sdp::detail
