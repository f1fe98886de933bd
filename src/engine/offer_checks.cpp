#include "engine/offer_checks.hpp"

#include <algorithm>

#include "room/track.hpp"
#include "sdp/simulcast.hpp"

namespace rrtc::engine {
namespace {

const char* kind_name(sdp::MediaKind kind) noexcept {
  switch (kind) {
    case sdp::MediaKind::audio:
      return "audio";
    case sdp::MediaKind::video:
      return "video";
    case sdp::MediaKind::application:
      return "application";
    case sdp::MediaKind::other:
      break;
  }
  return "other";
}

bool client_sends(const sdp::MediaSection& section) {
  const auto direction = section.effective_direction();
  return direction == sdp::Direction::sendrecv || direction == sdp::Direction::sendonly;
}

// What the parser already cut to a line: a mid in a message stays short.
std::string quoted(const std::string& text) {
  constexpr std::size_t kShown = 32;
  return "'" + text.substr(0, kShown) + (text.size() > kShown ? "...'" : "'");
}

// Simulcast a published track may carry: at most room::kMaxSpatialLayers layers (the Router's
// per-track state and the allocator are sized for that), and a=rid restrictions that follow
// RFC 8851's grammar (the layer limits come from them).
std::optional<std::string> check_simulcast(const sdp::MediaSection& offered) {
  const std::size_t layers = sdp::offered_layer_count(offered);
  if (layers > room::kMaxSpatialLayers) {
    return "simulcast: at most " + std::to_string(room::kMaxSpatialLayers) +
           " layers per track; m-line " + quoted(offered.mid) + " offers " + std::to_string(layers);
  }
  for (const sdp::Rid& rid : offered.rids) {
    if (rid.direction != sdp::RidDirection::send) continue;
    if (!sdp::parse_rid_restrictions(rid.restrictions)) {
      return "simulcast: m-line " + quoted(offered.mid) +
             ": the restrictions of a=rid:" + quoted(rid.id) +
             " do not parse: " + quoted(rid.restrictions);
    }
  }
  return std::nullopt;
}

}  // namespace

sdp::ParseLimits offer_parse_limits(std::size_t server_media_sections) noexcept {
  sdp::ParseLimits limits;
  limits.max_size = 16 * 1024 * 1024;  // the largest max_message_bytes; the signaling cuts first
  limits.max_line_length = 4096;
  limits.max_media_sections = kMaxClientMediaSections + server_media_sections;
  limits.max_candidates = 256;
  return limits;
}

std::optional<std::string> check_media(const sdp::SessionDescription& offer,
                                       const sdp::Answer& answer) {
  const bool any = std::any_of(answer.media.begin(), answer.media.end(),
                               [](const sdp::NegotiatedMedia& m) { return m.accepted; });
  if (!any) return "no usable m-line: no codec the server forwards and no data channel";
  for (std::size_t i = 0; i < offer.media.size() && i < answer.media.size(); ++i) {
    const auto& offered = offer.media[i];
    const auto kind = offered.kind();
    const bool live = offered.port != 0 || offered.bundle_only;
    if (live && client_sends(offered)) {
      if (auto error = check_simulcast(offered)) return error;
    }
    if (!live || answer.media[i].accepted || !client_sends(offered)) continue;
    if (kind != sdp::MediaKind::audio && kind != sdp::MediaKind::video) continue;
    // The client means to publish here and nothing of it could be forwarded.
    const auto* bundle = offer.bundle_group();
    if (bundle == nullptr ||
        std::find(bundle->mids.begin(), bundle->mids.end(), offered.mid) == bundle->mids.end()) {
      return "m-line " + quoted(offered.mid) + " is not in the BUNDLE group";
    }
    return "m-line " + quoted(offered.mid) + " (" + kind_name(kind) +
           "): no codec the server forwards (audio: opus; video: VP8, VP9, H264, AV1) or not "
           "RTP/SAVPF with rtcp-mux";
  }
  return std::nullopt;
}

std::optional<std::string> OfferHistory::check(const sdp::SessionDescription& offer,
                                               const sdp::Answer& answer,
                                               const transport::PeerConfig& config) const {
  if (auto error = check_media(offer, answer)) return error;
  if (!transport_fixed_) return std::nullopt;
  if (auto error = check_transport(config)) return error;
  return check_lines(answer);
}

std::optional<std::string> OfferHistory::check_transport(
    const transport::PeerConfig& config) const {
  if (config.remote_credentials.ufrag != credentials_.ufrag ||
      config.remote_credentials.pwd != credentials_.pwd) {
    return "re-offer changes the ICE credentials: ICE restart is not supported (leave and join "
           "again for a new transport)";
  }
  if (config.dtls.remote_fingerprints != fingerprints_) {
    return "re-offer changes the DTLS fingerprint: a new certificate needs a new "
           "PeerConnection (leave and join again)";
  }
  return std::nullopt;
}

std::optional<std::string> OfferHistory::check_lines(const sdp::Answer& answer) const {
  if (answer.media.size() < lines_.size()) {
    return "re-offer has " + std::to_string(answer.media.size()) + " m-lines, fewer than the " +
           std::to_string(lines_.size()) + " negotiated (m-lines are never removed)";
  }
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const auto& media = answer.media[i];
    for (std::size_t j = 0; j < lines_.size(); ++j) {
      if (j != i && lines_[j].mid == media.mid) {
        return "re-offer moves mid " + quoted(media.mid) + " from m-line " + std::to_string(j) +
               " to m-line " + std::to_string(i);
      }
    }
    if (i < lines_.size()) {
      const Line& before = lines_[i];
      if (media.mid != before.mid) {
        // JSEP lets a rejected m-line be recycled under a new mid, and the server recycles its
        // own (sendonly) ones in its offers; a live m-line of the client's keeps its mid.
        if (before.client_live) {
          return "re-offer replaces mid " + quoted(before.mid) + " with " + quoted(media.mid) +
                 " at m-line " + std::to_string(i) + " while it is in use";
        }
      } else if (media.kind != before.kind) {
        return "re-offer changes mid " + quoted(media.mid) + " from " + kind_name(before.kind) +
               " to " + kind_name(media.kind);
      }
    }
    for (const auto ssrc : media.ssrcs) {
      const auto it = std::find_if(ssrcs_.begin(), ssrcs_.end(),
                                   [&](const auto& entry) { return entry.first == ssrc; });
      if (it != ssrcs_.end() && it->second != media.mid) {
        return "re-offer moves SSRC " + std::to_string(ssrc) + " from mid " + quoted(it->second) +
               " to mid " + quoted(media.mid);
      }
    }
  }
  return std::nullopt;
}

void OfferHistory::record_transport(const transport::PeerConfig& config) {
  if (transport_fixed_) return;
  transport_fixed_ = true;
  credentials_ = config.remote_credentials;
  fingerprints_ = config.dtls.remote_fingerprints;
}

void OfferHistory::record(const sdp::Answer& answer, const transport::PeerConfig& config) {
  record_transport(config);
  lines_.clear();
  ssrcs_.clear();
  for (const auto& media : answer.media) {
    const bool server_track = media.direction == sdp::Direction::sendonly;
    lines_.push_back(Line{media.mid, media.kind, media.accepted && !server_track});
    if (!media.accepted) continue;
    for (const auto ssrc : media.ssrcs) ssrcs_.emplace_back(ssrc, media.mid);
  }
}

}  // namespace rrtc::engine
