#include "sdp/server_offer.hpp"

#include <algorithm>

#include "sdp/section_builder.hpp"
#include "sdp/text.hpp"

namespace rrtc::sdp {

std::string msid_track_id(const ForwardedTrack& track) {
  std::string id = track.participant_id + '-' + std::string(to_string(track.type));
  if (track.ordinal > 1) id += '-' + std::to_string(track.ordinal);
  return id;
}

namespace {

bool is_live(const MediaSection& media) { return media.port != 0 || media.bundle_only; }

Error answer_error(ErrorCode code, const std::string& mid) {
  return text::make_error(code, 0, mid);
}

bool is_rtp(const MediaSection& media) {
  return media.kind() == MediaKind::audio || media.kind() == MediaKind::video;
}

bool lists(const Codec& codec, std::string_view type) {
  return std::any_of(codec.feedback.begin(), codec.feedback.end(), [&](const RtcpFeedback& fb) {
    return text::iequals(fb.type, type) && fb.param.empty();
  });
}

bool offered_extension(const MediaSection& offered, const Extmap& ext) {
  return std::any_of(offered.extmaps.begin(), offered.extmaps.end(),
                     [&](const Extmap& e) { return e.id == ext.id && e.uri == ext.uri; });
}

// RFC 8829 section 5.10: an answer keeps a subset of the offered codecs and extensions with the
// offered numbers. What it adds beyond that is ignored (and counted): the server never sends it,
// so it harms nothing. An offered payload type renamed to another codec cannot work: the client
// would decode our packets as that codec.
std::optional<Error> check_answered_section(const MediaSection& offered,
                                            const MediaSection& answered, AnswerLeniency& ignored) {
  if (!is_rtp(offered)) return std::nullopt;
  for (const std::string& format : answered.formats) {
    const auto pt = text::to_uint<std::uint8_t>(format);
    const Codec* offered_codec = pt ? offered.find_codec(*pt) : nullptr;
    if (offered_codec == nullptr) {
      ++ignored.payload_types;
      continue;
    }
    const Codec* answered_codec = answered.find_codec(*pt);
    if (answered_codec != nullptr && answered_codec->has_rtpmap &&
        !text::iequals(answered_codec->name, offered_codec->name)) {
      return answer_error(ErrorCode::codec_changed, answered.mid + " pt " + format);
    }
  }
  for (const Extmap& ext : answered.extmaps) {
    if (!offered_extension(offered, ext)) ++ignored.extensions;
  }
  return std::nullopt;
}

MediaSection data_section(const DataChannelOffer& data, const std::string& mid,
                          const LocalTransport& transport) {
  MediaSection media;
  media.media = "application";
  media.protocol = "UDP/DTLS/SCTP";
  media.formats = {"webrtc-datachannel"};
  detail::add_local_transport(media, transport, Setup::actpass);
  media.mid = mid;
  media.sctp_port = data.sctp_port;
  media.max_message_size = data.max_message_size;
  return media;
}

}  // namespace

void ServerOfferBuilder::remember_mid(const std::string& mid) {
  // new_mid() makes canonical decimals from next_mid_ upwards and never goes back, so a numeric
  // mid only needs next_mid_ past it; keeping it in used_mids_ too would grow with every track
  // that comes and goes (issue 15). Only other mids (the client's, and numbers too large to
  // move next_mid_ without it wrapping) are kept.
  constexpr unsigned kNumericMids = 1U << 31;
  if (const auto n = text::to_uint<unsigned>(mid); n && *n < kNumericMids) {
    if (*n >= next_mid_) next_mid_ = *n + 1;
    return;
  }
  used_mids_.insert(mid);
}

std::string ServerOfferBuilder::new_mid() {
  std::string mid = std::to_string(next_mid_);
  while (used_mids_.count(mid) != 0) mid = std::to_string(++next_mid_);
  remember_mid(mid);
  return mid;
}

void ServerOfferBuilder::on_client_offer_answered(const Answer& answer) {
  pending_.reset();
  pending_offer_.reset();
  // The server answered a=setup:passive; the client is active from now on.
  dtls_role_fixed_ = dtls_role_fixed_ || answer.sdp.bundle_group() != nullptr;
  std::vector<Slot>& slots = committed_.slots;
  for (std::size_t i = 0; i < answer.sdp.media.size(); ++i) {
    const MediaSection& section = answer.sdp.media[i];
    remember_mid(section.mid);
    if (i < slots.size() && slots[i].mid == section.mid && slots[i].owner == Owner::server) {
      if (!is_live(section)) {  // the client stopped receiving this track
        slots[i] = Slot{section.mid, Owner::free, section, std::nullopt};
      }
      continue;
    }
    Slot slot{section.mid, Owner::client, section, std::nullopt};
    if (i < slots.size()) {
      slots[i] = std::move(slot);
    } else {
      slots.push_back(std::move(slot));
    }
  }
}

MediaSection ServerOfferBuilder::server_section(const ForwardedTrack& track, const std::string& mid,
                                                const LocalTransport& transport) const {
  MediaSection media;
  media.media = track.kind == MediaKind::audio ? "audio" : "video";
  media.protocol = "UDP/TLS/RTP/SAVPF";
  detail::add_local_transport(media, transport, Setup::actpass);
  media.mid = mid;
  media.extmaps = track.extensions;
  media.direction = Direction::sendonly;
  media.rtcp_mux = true;
  media.rtcp_rsize = true;
  media.codecs = track.codecs;
  detail::set_formats_from_codecs(media);
  detail::add_sending_track(media, SendingTrack{mid, track.participant_id, msid_track_id(track),
                                                track.ssrc, track.rtx_ssrc, track.cname});
  return media;
}

void ServerOfferBuilder::add_data_slot(State& next, const DataChannelOffer& data,
                                       const LocalTransport& transport) {
  const bool has_data = std::any_of(next.slots.begin(), next.slots.end(), [](const Slot& s) {
    return s.owner != Owner::free && s.section.kind() == MediaKind::application;
  });
  if (has_data || data_declined_) return;
  const std::string mid = new_mid();
  next.slots.push_back(Slot{mid, Owner::data, data_section(data, mid, transport), std::nullopt});
}

SessionDescription ServerOfferBuilder::create_offer(const std::vector<ForwardedTrack>& tracks,
                                                    const LocalTransport& transport,
                                                    const DataChannelOffer* data) {
  State next = committed_;
  const auto wanted = [&](const std::string& id) {
    return std::find_if(tracks.begin(), tracks.end(),
                        [&](const ForwardedTrack& t) { return t.id == id; });
  };
  std::vector<bool> recyclable(next.slots.size());
  for (std::size_t i = 0; i < next.slots.size(); ++i) {
    Slot& slot = next.slots[i];
    recyclable[i] = slot.owner == Owner::free;  // port 0 in a completed negotiation
    if (slot.owner == Owner::server) {
      const auto track = wanted(slot.track->id);
      if (track == tracks.end()) {
        slot = Slot{slot.mid, Owner::free, detail::rejected_section(slot.section), std::nullopt};
      } else {
        slot.track = *track;
        slot.section = server_section(*track, slot.mid, transport);
      }
    } else if ((slot.owner == Owner::client || slot.owner == Owner::data) &&
               is_live(slot.section)) {
      detail::add_local_transport(slot.section, transport, Setup::actpass);
    }
  }
  for (const ForwardedTrack& track : tracks) {
    const bool placed = std::any_of(next.slots.begin(), next.slots.end(), [&](const Slot& s) {
      return s.owner == Owner::server && s.track->id == track.id;
    });
    if (placed) continue;
    const std::string mid = new_mid();
    Slot slot{mid, Owner::server, server_section(track, mid, transport), track};
    const auto reuse = std::find(recyclable.begin(), recyclable.end(), true);
    if (reuse != recyclable.end()) {
      *reuse = false;
      next.slots[static_cast<std::size_t>(reuse - recyclable.begin())] = std::move(slot);
    } else {
      next.slots.push_back(std::move(slot));
    }
  }
  if (data != nullptr) add_data_slot(next, *data, transport);
  SessionDescription offer = detail::session_skeleton(transport);
  Group bundle{"BUNDLE", {}};
  for (const Slot& slot : next.slots) {
    if (is_live(slot.section)) {
      offer.media.push_back(slot.section);
      bundle.mids.push_back(slot.mid);
      continue;
    }
    // A port-0 m-line still carries the transport attributes: aiortc refuses an offer with any
    // m-line lacking ICE credentials, a=setup:actpass or a=rtcp-mux.
    MediaSection rejected = slot.section;
    rejected.ice_ufrag = transport.ice_ufrag;
    rejected.ice_pwd = transport.ice_pwd;
    rejected.fingerprints = {transport.fingerprint};
    rejected.setup = Setup::actpass;
    if (rejected.kind() == MediaKind::audio || rejected.kind() == MediaKind::video) {
      rejected.rtcp_mux = true;
    }
    offer.media.push_back(std::move(rejected));
  }
  if (!bundle.mids.empty()) offer.groups.push_back(std::move(bundle));
  pending_ = std::move(next);
  pending_offer_ = offer;
  return offer;
}

Result<std::vector<SentMedia>> ServerOfferBuilder::apply_answer(const SessionDescription& answer) {
  if (!pending_) return answer_error(ErrorCode::no_pending_offer, "");
  State next = std::move(*pending_);
  const SessionDescription offer = std::move(*pending_offer_);
  rollback();
  if (answer.media.size() != offer.media.size()) {
    return answer_error(ErrorCode::mline_count_mismatch, "");
  }
  const auto first_live = std::find_if(answer.media.begin(), answer.media.end(), is_live);
  if (!dtls_role_fixed_ && first_live != answer.media.end() &&
      first_live->setup.value_or(answer.setup.value_or(Setup::actpass)) != Setup::active) {
    return answer_error(ErrorCode::bad_dtls_role, first_live->mid);
  }
  AnswerLeniency ignored;
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const MediaSection& answered = answer.media[i];
    if (answered.mid != offer.media[i].mid)
      return answer_error(ErrorCode::mid_mismatch, answered.mid);
    if (!is_live(answered) || !is_live(offer.media[i])) continue;
    if (auto error = check_answered_section(offer.media[i], answered, ignored)) {
      return std::move(*error);
    }
  }
  std::vector<SentMedia> sent;
  std::optional<AnsweredData> answered_data;
  for (std::size_t i = 0; i < next.slots.size(); ++i) {
    Slot& slot = next.slots[i];
    const MediaSection& answered = answer.media[i];
    if (slot.owner == Owner::data) {
      if (is_live(answered)) {
        const std::uint16_t port = answered.sctp_port.value_or(
            answered.sctpmap ? answered.sctpmap->port : std::uint16_t{5000});
        answered_data = AnsweredData{slot.mid, port, answered.max_message_size.value_or(65536)};
      } else {
        slot = Slot{slot.mid, Owner::free, detail::rejected_section(slot.section), std::nullopt};
        data_declined_ = true;
      }
      continue;
    }
    if (slot.owner != Owner::server) continue;
    SentMedia media{slot.mid, slot.track->id, is_live(answered), {}, {}};
    for (const Extmap& ext : answered.extmaps) {
      if (offered_extension(slot.section, ext)) media.extensions.push_back(ext);
    }
    for (const std::string& format : answered.formats) {
      const auto pt = text::to_uint<std::uint8_t>(format);
      if (const Codec* offered = pt ? slot.section.find_codec(*pt) : nullptr) {
        media.codecs.push_back(*offered);
        if (const Codec* kept = answered.find_codec(*pt)) {
          media.nack = media.nack || lists(*kept, "nack");
          // Only with the offered feedback: transport-cc needs the extension slot the server
          // offers along with it.
          media.transport_cc = media.transport_cc ||
                               (lists(*kept, "transport-cc") && lists(*offered, "transport-cc"));
        }
      }
    }
    // Nothing the server could send on it: as good as rejected.
    media.accepted = media.accepted && !media.codecs.empty();
    if (!media.accepted) {
      slot = Slot{slot.mid, Owner::free, detail::rejected_section(slot.section), std::nullopt};
    }
    sent.push_back(std::move(media));
  }
  committed_ = std::move(next);
  dtls_role_fixed_ = dtls_role_fixed_ || first_live != answer.media.end();
  ignored_ = ignored;
  answered_data_ = std::move(answered_data);
  return sent;
}

void ServerOfferBuilder::rollback() {
  pending_.reset();
  pending_offer_.reset();
}

std::vector<SendingTrack> ServerOfferBuilder::sending_tracks() const {
  std::vector<SendingTrack> out;
  for (const Slot& slot : committed_.slots) {
    if (slot.owner != Owner::server) continue;
    const ForwardedTrack& t = *slot.track;
    out.push_back(
        SendingTrack{slot.mid, t.participant_id, msid_track_id(t), t.ssrc, t.rtx_ssrc, t.cname});
  }
  return out;
}

std::optional<std::string> ServerOfferBuilder::mid_of(std::string_view track_id) const {
  for (const Slot& slot : committed_.slots) {
    if (slot.owner == Owner::server && slot.track->id == track_id) return slot.mid;
  }
  return std::nullopt;
}

}  // namespace rrtc::sdp
