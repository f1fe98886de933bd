// Pieces of the server's offers: the SSRCs it sends each track with, the first offer to a viewer
// (a participant that never offered) and the answer that starts its Peer, and what answers add
// beyond the server's offers. The negotiation itself is in media_participant.cpp.
#include <algorithm>
#include <random>

#include "engine/media_participant.hpp"
#include "engine/media_room.hpp"
#include "sdp/capabilities.hpp"
#include "transport/peer_config_from_sdp.hpp"

namespace rrtc::engine {

std::uint32_t MediaParticipant::ssrc_for(const std::string& track_key) {
  auto& ssrc = ssrcs_[track_key];
  while (ssrc == 0) {
    ssrc = static_cast<std::uint32_t>(std::random_device{}());
    for (const auto& [key, other] : ssrcs_) {
      if (key != track_key && other == ssrc) ssrc = 0;
    }
  }
  return ssrc;
}

void MediaParticipant::reclaim_ssrcs(const std::vector<room::OfferedTrack>& wanted) {
  const auto listed = [](const std::vector<room::OfferedTrack>& tracks, const std::string& key) {
    return std::any_of(tracks.begin(), tracks.end(),
                       [&](const room::OfferedTrack& t) { return t.track.id == key; });
  };
  std::erase_if(ssrcs_, [&](const auto& entry) {
    return !listed(wanted, entry.first) && !listed(offered_, entry.first) &&
           !listed(committed_, entry.first);
  });
}

bool MediaParticipant::may_offer_first() {
  // A participant that offered (even an offer the server refused) negotiates from its own
  // offers; a viewer is offered once its delay after joining has passed (the timer set in the
  // constructor calls refresh_offer() then).
  return !client_offered_ && room_.now() >= first_offer_at_;
}

std::optional<std::pair<sdp::RemoteTransport, transport::PeerConfig>>
MediaParticipant::first_answer_transport(const sdp::SessionDescription& answer) {
  const auto refuse = [&](std::string message) {
    offers_.rollback();
    offered_.clear();
    reject(std::move(message));
    return std::nullopt;
  };
  auto remote = sdp::answer_transport(answer);
  if (!remote) return refuse("bad answer: " + remote.error().message());
  transport::SdpTransportError error = transport::SdpTransportError::None;
  auto config = transport::peer_config_from(*remote, dtls::Role::Passive, &error);
  if (!config) return refuse(std::string("bad answer: ") + transport::to_string(error));
  return std::make_pair(std::move(*remote), std::move(*config));
}

void MediaParticipant::count_ignored() {
  // Pion answers with header extensions the offer did not have; the answer is taken without
  // them (sdp::ServerOfferBuilder::apply_answer) and /metrics shows how often.
  const auto& ignored = offers_.ignored();
  context_.counters.answer_ignored_extensions.add(ignored.extensions);
  context_.counters.answer_ignored_payload_types.add(ignored.payload_types);
}

void MediaParticipant::enable_offered_data_channels(const sdp::AnsweredData& data) {
  sdp::NegotiatedMedia application;
  application.sctp_port = data.sctp_port;
  application.max_message_size = data.max_message_size;
  auto config = transport::data_channel_config_from(application,
                                                    sdp::default_capabilities().max_message_size);
  config.local_port = sdp::DataChannelOffer{}.sctp_port;  // what our offer said; theirs may differ
  enable_data_channels(config);
}

}  // namespace rrtc::engine
