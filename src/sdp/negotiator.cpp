#include "sdp/negotiator.hpp"

#include <algorithm>
#include <cctype>

#include "sdp/codec_match.hpp"
#include "sdp/rtp_choice.hpp"
#include "sdp/section_builder.hpp"
#include "sdp/text.hpp"

namespace rrtc::sdp {

std::string_view to_string(TrackType type) {
  switch (type) {
    case TrackType::audio:
      return "audio";
    case TrackType::camera:
      return "camera";
    case TrackType::screen:
      return "screen";
  }
  return "camera";
}

bool is_usable_fingerprint(const Fingerprint& fingerprint) {
  struct Hash {
    std::string_view name;
    std::size_t bytes;
  };
  constexpr Hash kHashes[] = {
      {"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64}};
  const auto* hash = std::find_if(std::begin(kHashes), std::end(kHashes), [&](const Hash& h) {
    return text::iequals(h.name, fingerprint.algorithm);
  });
  if (hash == std::end(kHashes) || fingerprint.value.size() != hash->bytes * 3 - 1) {
    return false;
  }
  for (std::size_t i = 0; i < fingerprint.value.size(); ++i) {
    const char c = fingerprint.value[i];
    const bool ok = (i % 3 == 2) ? c == ':' : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

std::optional<TrackType> classify_track(const MediaSection& media,
                                        const std::vector<TrackTypeHint>& hints) {
  const MediaKind kind = media.kind();
  if (kind != MediaKind::audio && kind != MediaKind::video) return std::nullopt;
  for (const TrackTypeHint& hint : hints) {
    if (hint.mid == media.mid) return hint.type;
  }
  std::vector<std::string_view> ids;
  for (const Msid& msid : media.msids) {
    ids.push_back(msid.stream_id);
    ids.push_back(msid.track_id);
  }
  for (const Ssrc& ssrc : media.ssrcs) {
    for (const Attribute& attr : ssrc.attributes) {
      if (attr.name == "msid") ids.push_back(attr.value);
    }
  }
  const auto any_contains = [&](std::string_view word) {
    return std::any_of(ids.begin(), ids.end(), [&](std::string_view id) {
      return id.find(word) != std::string_view::npos;
    });
  };
  if (any_contains("screen")) return TrackType::screen;
  if (any_contains("audio")) return TrackType::audio;
  return kind == MediaKind::audio ? TrackType::audio : TrackType::camera;
}

namespace {

struct OfferTransport {
  const MediaSection* tagged = nullptr;
  RemoteTransport remote;
};

// RFC 8843 section 7.1: only the BUNDLE-tagged (first) m-line's transport attributes count;
// Firefox puts some of them at session level. The same for offers and answers.
Result<OfferTransport> tagged_transport(const SessionDescription& sdp) {
  const Group* bundle = sdp.bundle_group();
  if (bundle == nullptr || bundle->mids.empty()) {
    return text::make_error(ErrorCode::missing_bundle, 0);
  }
  OfferTransport out;
  out.tagged = sdp.find_media(bundle->mids.front());
  if (out.tagged == nullptr) return text::make_error(ErrorCode::missing_bundle, 0, bundle->mids[0]);
  const MediaSection& tagged = *out.tagged;
  RemoteTransport& remote = out.remote;
  remote.ice_ufrag = tagged.ice_ufrag.empty() ? sdp.ice_ufrag : tagged.ice_ufrag;
  remote.ice_pwd = tagged.ice_pwd.empty() ? sdp.ice_pwd : tagged.ice_pwd;
  if (remote.ice_ufrag.empty() || remote.ice_pwd.empty()) {
    return text::make_error(ErrorCode::missing_ice_credentials, 0, tagged.mid);
  }
  remote.fingerprints = tagged.fingerprints.empty() ? sdp.fingerprints : tagged.fingerprints;
  if (remote.fingerprints.empty()) return text::make_error(ErrorCode::missing_fingerprint, 0);
  if (std::none_of(remote.fingerprints.begin(), remote.fingerprints.end(), is_usable_fingerprint)) {
    return text::make_error(ErrorCode::unusable_fingerprint, 0, remote.fingerprints[0].algorithm);
  }
  remote.ice_options = tagged.ice_options.empty() ? sdp.ice_options : tagged.ice_options;
  remote.ice_lite = sdp.ice_lite;
  remote.candidates = tagged.candidates;
  remote.end_of_candidates = tagged.end_of_candidates;
  return out;
}

Result<OfferTransport> check_offer(const SessionDescription& offer) {
  if (offer.media.empty()) return text::make_error(ErrorCode::no_media, 0);
  for (const MediaSection& media : offer.media) {
    if (media.mid.empty()) return text::make_error(ErrorCode::missing_mid, 0, media.media);
  }
  auto out = tagged_transport(offer);
  if (!out) return out;
  const MediaSection& tagged = *out->tagged;
  // The server is always DTLS passive, so the client must be able to take the active role.
  const Setup setup = tagged.setup.value_or(offer.setup.value_or(Setup::actpass));
  if (setup != Setup::actpass && setup != Setup::active) {
    return text::make_error(ErrorCode::bad_dtls_role, 0, to_string(setup));
  }
  const MediaKind kind = tagged.kind();
  if ((kind == MediaKind::audio || kind == MediaKind::video) && !tagged.rtcp_mux) {
    return text::make_error(ErrorCode::missing_rtcp_mux, 0, tagged.mid);
  }
  return out;
}

void describe_sources(const MediaSection& offered, NegotiatedMedia& out) {
  for (const Ssrc& ssrc : offered.ssrcs) {
    out.ssrcs.push_back(ssrc.ssrc);
    for (const Attribute& attr : ssrc.attributes) {
      if (attr.name == "cname" && out.cname.empty()) out.cname = attr.value;
    }
  }
  for (const SsrcGroup& group : offered.ssrc_groups) {
    if (group.semantics == "FID" && group.ssrcs.size() == 2) {
      out.rtx_pairs.emplace_back(group.ssrcs[0], group.ssrcs[1]);
    } else if (group.semantics == "SIM" && out.simulcast_ssrcs.empty()) {
      out.simulcast_ssrcs = group.ssrcs;
    }
  }
  for (const Rid& rid : offered.rids) {
    if (rid.direction == RidDirection::send) out.rids.push_back(rid);
  }
  if (!offered.msids.empty()) out.msid = offered.msids.front();
}

// RFC 8853 section 5.3.2: the answer receives what it accepts of a=simulcast send.
void accept_simulcast(const MediaSection& offered, MediaSection& answer, NegotiatedMedia& out) {
  const bool rid_extension =
      std::any_of(out.extensions.begin(), out.extensions.end(),
                  [](const Extmap& e) { return e.uri == uri::kRtpStreamId; });
  if (!rid_extension) return;
  std::vector<std::uint8_t> payload_types;
  for (const NegotiatedCodec& negotiated : out.codecs) {
    payload_types.push_back(negotiated.codec.payload_type);
  }
  out.simulcast = accepted_simulcast(offered, payload_types);
  add_simulcast_answer(answer, out.simulcast);
}

Direction server_direction(const MediaSection& offered, const SendingTrack* sending) {
  const Direction client = offered.effective_direction();
  const bool client_sends = client == Direction::sendrecv || client == Direction::sendonly;
  const bool client_receives = client == Direction::sendrecv || client == Direction::recvonly;
  const bool server_sends = sending != nullptr && client_receives;
  const bool server_receives = sending == nullptr && client_sends;
  if (server_sends) return Direction::sendonly;
  return server_receives ? Direction::recvonly : Direction::inactive;
}

bool answer_rtp(const MediaSection& offered, const AnswerInput& input, MediaSection& answer,
                NegotiatedMedia& out) {
  if (offered.protocol.find("RTP/SAVPF") == std::string::npos || !offered.rtcp_mux) return false;
  detail::RtpChoice choice = detail::choose_rtp(offered, *input.capabilities);
  if (choice.codecs.empty()) return false;
  const auto sending = std::find_if(input.sending.begin(), input.sending.end(),
                                    [&](const SendingTrack& t) { return t.mid == offered.mid; });
  const SendingTrack* track = sending == input.sending.end() ? nullptr : &*sending;
  answer.media = offered.media;
  answer.protocol = offered.protocol;
  detail::add_local_transport(answer, *input.transport, Setup::passive);
  answer.mid = offered.mid;
  answer.extmaps = choice.extensions;
  answer.direction = server_direction(offered, track);
  answer.rtcp_mux = true;
  answer.rtcp_rsize = offered.rtcp_rsize;
  answer.codecs = detail::answer_codecs(offered, choice);
  detail::set_formats_from_codecs(answer);
  if (track != nullptr) detail::add_sending_track(answer, *track);
  out.direction = *answer.direction;
  out.codecs = std::move(choice.codecs);
  out.extensions = std::move(choice.extensions);
  if (out.direction == Direction::recvonly) {
    out.track_type = classify_track(offered, input.track_types);
    describe_sources(offered, out);
    accept_simulcast(offered, answer, out);
  }
  return true;
}

// RFC 8841 section 5 (a=sctp-port, a=max-message-size) or the sctpmap form aiortc still uses.
bool answer_data(const MediaSection& offered, const AnswerInput& input, MediaSection& answer,
                 NegotiatedMedia& out) {
  if (!input.capabilities->data_channels ||
      offered.protocol.find("DTLS/SCTP") == std::string::npos) {
    return false;
  }
  answer.media = offered.media;
  answer.protocol = offered.protocol;
  answer.formats = offered.formats;
  detail::add_local_transport(answer, *input.transport, Setup::passive);
  answer.mid = offered.mid;
  if (offered.sctpmap) {
    answer.sctpmap = Sctpmap{offered.sctpmap->port, "webrtc-datachannel",
                             offered.sctpmap->streams.value_or(65535)};
    out.sctp_port = offered.sctpmap->port;
  } else {
    out.sctp_port = offered.sctp_port.value_or(5000);
    answer.sctp_port = out.sctp_port;
  }
  answer.max_message_size = input.capabilities->max_message_size;
  // RFC 8841 section 6.1: absent means 64 KiB.
  out.max_message_size = offered.max_message_size.value_or(65536);
  out.direction = Direction::sendrecv;
  return true;
}

}  // namespace

Result<RemoteTransport> answer_transport(const SessionDescription& answer) {
  auto checked = tagged_transport(answer);
  if (!checked) return checked.error();
  return std::move(checked->remote);
}

Result<Answer> answer_offer(const SessionDescription& offer, const AnswerInput& input) {
  auto checked = check_offer(offer);
  if (!checked) return checked.error();
  const Group& bundle = *offer.bundle_group();
  Answer result;
  result.remote = std::move(checked->remote);
  result.sdp = detail::session_skeleton(*input.transport);
  result.sdp.extmap_allow_mixed = offer.extmap_allow_mixed;
  Group answer_bundle{"BUNDLE", {}};
  bool have_data = false;
  for (const MediaSection& offered : offer.media) {
    NegotiatedMedia out;
    out.mid = offered.mid;
    out.kind = offered.kind();
    MediaSection answer;
    const bool bundled =
        std::find(bundle.mids.begin(), bundle.mids.end(), offered.mid) != bundle.mids.end();
    const bool live = offered.port != 0 || offered.bundle_only;
    if (bundled && live) {
      if (out.kind == MediaKind::audio || out.kind == MediaKind::video) {
        out.accepted = answer_rtp(offered, input, answer, out);
      } else if (out.kind == MediaKind::application && !have_data) {
        out.accepted = have_data = answer_data(offered, input, answer, out);
      }
    }
    if (out.accepted) {
      answer_bundle.mids.push_back(offered.mid);
    } else {
      answer = detail::rejected_section(offered);
      NegotiatedMedia rejected;
      rejected.mid = offered.mid;
      rejected.kind = out.kind;
      out = std::move(rejected);
    }
    result.sdp.media.push_back(std::move(answer));
    result.media.push_back(std::move(out));
  }
  if (!answer_bundle.mids.empty()) result.sdp.groups.push_back(std::move(answer_bundle));
  return result;
}

}  // namespace rrtc::sdp
