// Media-level attribute parsers. Each function parses one attribute value into the section.

#include "sdp/attributes.hpp"
#include "sdp/candidate.hpp"
#include "sdp/text.hpp"

namespace rrtc::sdp::detail {
namespace {

std::optional<std::uint8_t> payload_type_from(std::string_view text) {
  const auto pt = text::to_uint<std::uint16_t>(text);
  if (!pt || *pt > 127) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(*pt);
}

Codec& codec_for(MediaSection& media, std::uint8_t payload_type) {
  if (Codec* codec = media.find_codec(payload_type)) {
    return *codec;
  }
  media.codecs.push_back(Codec{});
  media.codecs.back().payload_type = payload_type;
  return media.codecs.back();
}

// RFC 8866 section 6.6:
//   a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
Status parse_rtpmap(MediaSection& media, std::string_view value, std::size_t line) {
  const auto fail = [&] { return text::make_error(ErrorCode::bad_rtpmap, line, value); };
  const auto parts = text::words(value);
  if (parts.size() != 2) {
    return fail();
  }
  const auto pt = payload_type_from(parts[0]);
  const auto fields = text::split(parts[1], '/');
  if (!pt || fields.size() < 2 || fields.size() > 3 || fields[0].empty()) {
    return fail();
  }
  const auto clock_rate = text::to_uint<std::uint32_t>(fields[1]);
  std::optional<std::uint16_t> channels = std::uint16_t{0};
  if (fields.size() == 3) {
    channels = text::to_uint<std::uint16_t>(fields[2]);
  }
  if (!clock_rate || !channels || (fields.size() == 3 && *channels == 0)) {
    return fail();
  }
  Codec& codec = codec_for(media, *pt);
  codec.has_rtpmap = true;
  codec.name = fields[0];
  codec.clock_rate = *clock_rate;
  codec.channels = *channels;
  return std::nullopt;
}

// RFC 8866 section 6.15:  a=fmtp:<format> <format specific parameters>
// WebRTC codecs write "key=value;key=value"; telephone-event and red write bare tokens.
Status parse_fmtp(MediaSection& media, std::string_view value, std::size_t line) {
  const std::string_view trimmed = text::trim(value);
  const std::size_t space = trimmed.find(' ');
  const auto pt = payload_type_from(trimmed.substr(0, space));
  if (!pt) {
    return text::make_error(ErrorCode::bad_fmtp, line, value);
  }
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<FmtpParam> params;
  for (std::string_view piece : text::split(trimmed.substr(space + 1), ';')) {
    piece = text::trim(piece);
    if (piece.empty()) {
      continue;
    }
    const std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      params.push_back(FmtpParam{std::string(piece), {}, false});
    } else {
      params.push_back(FmtpParam{std::string(text::trim(piece.substr(0, eq))),
                                 std::string(text::trim(piece.substr(eq + 1))), true});
    }
  }
  // An fmtp without parameters says nothing; creating a codec for it would not round-trip.
  if (!params.empty()) {
    Codec& codec = codec_for(media, *pt);
    codec.fmtp.insert(codec.fmtp.end(), params.begin(), params.end());
  }
  return std::nullopt;
}

// RFC 4585 section 4.2:  rtcp-fb-syntax = "a=rtcp-fb:" rtcp-fb-pt SP rtcp-fb-val
//   rtcp-fb-pt = "*" / fmt ;  rtcp-fb-val = "ack" / "nack" / "trr-int" / "ccm" / token ...
Status parse_rtcp_fb(MediaSection& media, std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.size() < 2) {
    return text::make_error(ErrorCode::bad_rtcp_fb, line, value);
  }
  RtcpFeedback feedback{std::string(parts[1]), {}};
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (i > 2) {
      feedback.param += ' ';
    }
    feedback.param += parts[i];
  }
  if (parts[0] == "*") {
    media.feedback_all.push_back(std::move(feedback));
    return std::nullopt;
  }
  const auto pt = payload_type_from(parts[0]);
  if (!pt) {
    return text::make_error(ErrorCode::bad_rtcp_fb, line, value);
  }
  codec_for(media, *pt).feedback.push_back(std::move(feedback));
  return std::nullopt;
}

// RFC 5576 section 4.1:  ssrc-attr = "ssrc:" ssrc-id SP attribute
//   attribute = att-field [":" att-value]   (cname, msid, label, mslabel...)
Status parse_ssrc(MediaSection& media, std::string_view value, std::size_t line) {
  const std::string_view trimmed = text::trim(value);
  const std::size_t space = trimmed.find(' ');
  const auto id = text::to_uint<std::uint32_t>(trimmed.substr(0, space));
  if (!id || space == std::string_view::npos) {
    return text::make_error(ErrorCode::bad_ssrc, line, value);
  }
  const std::string_view attr = text::trim(trimmed.substr(space + 1));
  const std::size_t colon = attr.find(':');
  Attribute attribute{std::string(attr.substr(0, colon)), {}, colon != std::string_view::npos};
  if (attribute.has_value) {
    attribute.value = attr.substr(colon + 1);
  }
  if (!text::is_token(attribute.name)) {
    return text::make_error(ErrorCode::bad_ssrc, line, value);
  }
  for (Ssrc& ssrc : media.ssrcs) {
    if (ssrc.ssrc == *id) {
      ssrc.attributes.push_back(std::move(attribute));
      return std::nullopt;
    }
  }
  media.ssrcs.push_back(Ssrc{*id, {std::move(attribute)}});
  return std::nullopt;
}

// RFC 5576 section 4.2:  ssrc-group-attr = "ssrc-group:" semantics *(SP ssrc-id)
Status parse_ssrc_group(MediaSection& media, std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.size() < 2 || !text::is_token(parts[0])) {
    return text::make_error(ErrorCode::bad_ssrc_group, line, value);
  }
  SsrcGroup group{std::string(parts[0]), {}};
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto id = text::to_uint<std::uint32_t>(parts[i]);
    if (!id) {
      return text::make_error(ErrorCode::bad_ssrc_group, line, value);
    }
    group.ssrcs.push_back(*id);
  }
  media.ssrc_groups.push_back(std::move(group));
  return std::nullopt;
}

// RFC 8851 section 10:  rid-syntax = "a=rid:" rid-id SP rid-dir [ rid-pt-param-list /
//   rid-param-list ] ;  rid-dir = "send" / "recv"
Status parse_rid(MediaSection& media, std::string_view value, std::size_t line) {
  const std::string_view trimmed = text::trim(value);
  const auto parts = text::words(trimmed);
  if (parts.size() < 2 || (parts[1] != "send" && parts[1] != "recv") || !text::is_token(parts[0])) {
    return text::make_error(ErrorCode::bad_rid, line, value);
  }
  Rid rid{std::string(parts[0]), parts[1] == "send" ? RidDirection::send : RidDirection::recv, {}};
  const std::size_t dir_end = trimmed.find(parts[1], parts[0].size()) + parts[1].size();
  rid.restrictions = text::trim(trimmed.substr(dir_end));
  media.rids.push_back(std::move(rid));
  return std::nullopt;
}

std::optional<std::vector<std::vector<SimulcastRid>>> parse_simulcast_streams(
    std::string_view list) {
  std::vector<std::vector<SimulcastRid>> streams;
  for (std::string_view stream : text::split(list, ';')) {
    std::vector<SimulcastRid> alternatives;
    for (std::string_view alt : text::split(stream, ',')) {
      const bool paused = !alt.empty() && alt.front() == '~';
      if (paused) {
        alt.remove_prefix(1);
      }
      if (!text::is_token(alt) || alt.find_first_of("~;,") != std::string_view::npos) {
        return std::nullopt;
      }
      alternatives.push_back(SimulcastRid{std::string(alt), paused});
    }
    streams.push_back(std::move(alternatives));
  }
  return streams;
}

// RFC 8853 section 5.1:
//   sc-value = ( sc-send [SP sc-recv] ) / ( sc-recv [SP sc-send] )
//   sc-send  = %s"send" SP sc-str-list ;  sc-str-list = sc-alt-list *( ";" sc-alt-list )
//   sc-alt-list = sc-id *( "," sc-id ) ;  sc-id = [sc-id-paused] rid-id ; sc-id-paused = "~"
Status parse_simulcast(MediaSection& media, std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  const auto fail = [&] { return text::make_error(ErrorCode::bad_simulcast, line, value); };
  if (parts.size() != 2 && parts.size() != 4) {
    return fail();
  }
  Simulcast simulcast;
  simulcast.send_first = parts[0] == "send";
  for (std::size_t i = 0; i < parts.size(); i += 2) {
    auto streams = parse_simulcast_streams(parts[i + 1]);
    const bool send = parts[i] == "send";
    auto& target = send ? simulcast.send : simulcast.recv;
    if (!streams || (!send && parts[i] != "recv") || !target.empty()) {
      return fail();
    }
    target = std::move(*streams);
  }
  media.simulcast = std::move(simulcast);
  return std::nullopt;
}

// draft-ietf-mmusic-sctp-sdp-05:  a=sctpmap:<port> <app> [<streams>]
Status parse_sctpmap(MediaSection& media, std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  const auto port = parts.empty() ? std::nullopt : text::to_uint<std::uint16_t>(parts[0]);
  if (!port || parts.size() < 2 || parts.size() > 3) {
    return text::make_error(ErrorCode::bad_sctp, line, value);
  }
  Sctpmap map{*port, std::string(parts[1]), std::nullopt};
  if (parts.size() == 3) {
    map.streams = text::to_uint<std::uint32_t>(parts[2]);
    if (!map.streams) {
      return text::make_error(ErrorCode::bad_sctp, line, value);
    }
  }
  media.sctpmap = std::move(map);
  return std::nullopt;
}

Status parse_msid(MediaSection& media, std::string_view value, std::size_t line) {
  // RFC 8830 section 2:  msid-value = msid-id [ SP msid-appdata ]
  const auto parts = text::words(value);
  if (parts.empty() || parts.size() > 2) {
    return text::make_error(ErrorCode::bad_msid, line, value);
  }
  media.msids.push_back(
      Msid{std::string(parts[0]), parts.size() == 2 ? std::string(parts[1]) : ""});
  return std::nullopt;
}

Status parse_mid(MediaSection& media, std::string_view value, std::size_t line) {
  // RFC 8843 section 15.1 limits what fits the RTP header extension; 64 is ample.
  const std::string_view mid = text::trim(value);
  if (!text::is_token(mid) || mid.size() > 64) {
    return text::make_error(ErrorCode::bad_mid, line, value);
  }
  media.mid = mid;
  return std::nullopt;
}

template <class T>
Status parse_number(std::optional<T>& out, std::string_view value, std::size_t line) {
  out = text::to_uint<T>(text::trim(value));
  if (!out) {
    return text::make_error(ErrorCode::bad_sctp, line, value);
  }
  return std::nullopt;
}

Status apply_flag(MediaSection& media, std::string_view name) {
  if (name == "rtcp-mux")
    media.rtcp_mux = true;
  else if (name == "rtcp-mux-only")
    media.rtcp_mux_only = true;
  else if (name == "rtcp-rsize")
    media.rtcp_rsize = true;
  else if (name == "bundle-only")
    media.bundle_only = true;
  else if (name == "end-of-candidates")
    media.end_of_candidates = true;
  else if (auto direction = direction_from_name(name))
    media.direction = direction;
  else
    return Error{};  // not a flag
  return std::nullopt;
}

}  // namespace

Status apply_media_attribute(MediaSection& media, const Attribute& attribute, std::size_t line) {
  const std::string_view name = attribute.name;
  const std::string_view value = attribute.value;
  if (!attribute.has_value) {
    if (!apply_flag(media, name)) {
      return std::nullopt;
    }
    media.other_attributes.push_back(attribute);
    return std::nullopt;
  }
  if (name == "rtpmap") return parse_rtpmap(media, value, line);
  if (name == "fmtp") return parse_fmtp(media, value, line);
  if (name == "rtcp-fb") return parse_rtcp_fb(media, value, line);
  if (name == "ssrc") return parse_ssrc(media, value, line);
  if (name == "ssrc-group") return parse_ssrc_group(media, value, line);
  if (name == "rid") return parse_rid(media, value, line);
  if (name == "simulcast") return parse_simulcast(media, value, line);
  if (name == "msid") return parse_msid(media, value, line);
  if (name == "mid") return parse_mid(media, value, line);
  if (name == "sctpmap") return parse_sctpmap(media, value, line);
  if (name == "sctp-port") return parse_number(media.sctp_port, value, line);
  if (name == "max-message-size") return parse_number(media.max_message_size, value, line);
  if (name == "ice-ufrag") return parse_ice_credential(value, line, media.ice_ufrag);
  if (name == "ice-pwd") return parse_ice_credential(value, line, media.ice_pwd);
  if (name == "ice-options") {
    for (std::string_view option : text::words(value)) media.ice_options.emplace_back(option);
    return std::nullopt;
  }
  if (name == "candidate") {
    auto candidate = parse_candidate("candidate:" + std::string(value), line);
    if (!candidate) return candidate.error();
    media.candidates.push_back(std::move(*candidate));
    return std::nullopt;
  }
  if (name == "extmap") {
    auto extmap = parse_extmap(value, line);
    if (!extmap) return extmap.error();
    media.extmaps.push_back(std::move(*extmap));
    return std::nullopt;
  }
  if (name == "fingerprint") {
    auto fingerprint = parse_fingerprint(value, line);
    if (!fingerprint) return fingerprint.error();
    media.fingerprints.push_back(std::move(*fingerprint));
    return std::nullopt;
  }
  if (name == "setup") {
    auto setup = parse_setup(value, line);
    if (!setup) return setup.error();
    media.setup = *setup;
    return std::nullopt;
  }
  media.other_attributes.push_back(attribute);
  return std::nullopt;
}

}  // namespace rrtc::sdp::detail
