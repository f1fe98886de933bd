#include "engine/media_participant.hpp"

#include <algorithm>
#include <random>

#include "engine/media_room.hpp"
#include "log/log.hpp"
#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "transport/peer_config_from_sdp.hpp"

namespace rrtc::engine {
namespace {

spdlog::logger& logger() { return rrtc::log::get("room"); }

const sdp::Capabilities& capabilities() {
  static const sdp::Capabilities caps = sdp::default_capabilities();
  return caps;
}

sdp::TrackType to_sdp(room::TrackType type) {
  switch (type) {
    case room::TrackType::audio:
      return sdp::TrackType::audio;
    case room::TrackType::camera:
      return sdp::TrackType::camera;
    case room::TrackType::screen:
      break;
  }
  return sdp::TrackType::screen;
}

// The o= session id: random per PeerConnection (RFC 8866 section 5.2 asks for uniqueness).
std::string random_session_id() {
  std::random_device device;
  std::uint64_t value = (std::uint64_t{device()} << 31) ^ device();
  return std::to_string(value & 0x7fffffffffffffffULL);
}

// The mid our candidates belong to: the BUNDLE tag (first mid of the group) of the answer.
std::string candidate_mid(const sdp::Answer& answer) {
  if (const auto* group = answer.sdp.bundle_group(); group != nullptr && !group->mids.empty()) {
    return group->mids.front();
  }
  for (const auto& media : answer.media) {
    if (media.accepted) return media.mid;
  }
  return answer.media.empty() ? std::string() : answer.media.front().mid;
}

}  // namespace

MediaParticipant::MediaParticipant(MediaContext& context, MediaRoom& room, std::string id,
                                   const room::ParticipantState& state)
    : context_(context), room_(room), id_(std::move(id)), timer_(context.loop) {
  room::RouterSink& sink = *this;  // private base: convertible only in here
  member_ = &room_.router().add(id_, sink, state);
}

MediaParticipant::~MediaParticipant() {
  leave_router();
  if (peer_ != nullptr) {
    collect_counters();
    context_.counters.peers_released.increment();
  }
  timer_.set_peer(nullptr);
}

bool MediaParticipant::create_peer() {
  transport::PeerListener& listener = *this;  // private base: convertible only in here
  peer_ = context_.peers.create(timer_, listener);
  if (peer_ == nullptr) return false;
  timer_.set_peer(peer_.get());
  session_id_ = random_session_id();
  context_.counters.peers_created.increment();
  context_.counters.peers_active.increment();
  return true;
}

sdp::LocalTransport MediaParticipant::local_transport() {
  const auto credentials = peer_->local_credentials();
  sdp::LocalTransport local;
  local.ice_ufrag = credentials.ufrag;
  local.ice_pwd = credentials.pwd;
  local.fingerprint = {"sha-256", peer_->local_fingerprint().value()};
  local.session_id = session_id_;
  local.session_version = ++session_version_;
  return local;
}

void MediaParticipant::on_offer(const std::string& text,
                                const std::vector<room::TrackInfo>& tracks) {
  if (closing_) return;
  auto offer = sdp::parse(text);
  if (!offer) {
    return reject("bad SDP: " + offer.error().message());
  }
  if (peer_ == nullptr && !create_peer()) return fail("could not create the ICE agent");
  if (offers_.has_pending_offer()) {
    // Glare: the server is polite. Its offer is rolled back and made again after this answer.
    offers_.rollback();
    offered_.clear();
    reoffer_ = true;
  }
  const sdp::LocalTransport local = local_transport();
  sdp::AnswerInput input{&capabilities(), &local, {}, offers_.sending_tracks()};
  for (const auto& track : tracks) input.track_types.push_back({track.mid, to_sdp(track.type)});
  auto answer = sdp::answer_offer(*offer, input);
  if (!answer) {
    return reject("bad SDP: " + answer.error().message());
  }
  payload_kinds_.clear();
  for (const auto& media : answer->media) {
    if (!media.accepted || media.kind == sdp::MediaKind::application) continue;
    const auto kind = media.kind == sdp::MediaKind::audio ? RtpKind::audio : RtpKind::video;
    for (const auto& codec : media.codecs) {
      payload_kinds_.emplace_back(codec.codec.payload_type, kind);
      if (codec.rtx_payload_type) payload_kinds_.emplace_back(*codec.rtx_payload_type, kind);
    }
  }
  if (!started_) {
    transport::SdpTransportError error = transport::SdpTransportError::None;
    const auto config = transport::peer_config_from(answer->remote, dtls::Role::Passive, &error);
    if (!config) {
      return reject(std::string("bad SDP: ") + transport::to_string(error));
    }
    if (const auto started = peer_->start(*config); started != transport::StartResult::Started) {
      return fail(std::string("could not start the peer: ") + transport::to_string(started));
    }
    started_ = true;
    candidate_mid_ = candidate_mid(*answer);
    for (const auto& candidate : transport::remote_candidates_from(answer->remote)) {
      apply_remote_candidate(candidate);
    }
    for (const auto& candidate : pending_candidates_) apply_remote_candidate(candidate);
    pending_candidates_.clear();
  }
  offers_.on_client_offer_answered(*answer);
  for (const auto& media : answer->media) {
    if (media.accepted && media.kind == sdp::MediaKind::application &&
        !peer_->data_channels_enabled()) {
      enable_data_channels(media);
    }
  }
  published_ = room::published_media(id_, *answer);
  own_media_.clear();
  std::vector<room::PublishedTrack> published;
  for (const auto& media : published_) {
    own_media_.push_back(media.media);
    published.push_back(media.track);
  }
  if (member_ != nullptr) room_.router().publish(*member_, published, room_.now());
  room_.arm_router_timer();
  // Sent before any trickled candidate: those come from later loop events, and the channel keeps
  // this thread's order.
  context_.channel->send_answer(room_.name(), id_, sdp::serialize(answer->sdp));
  room_.on_tracks_changed(*this);
  refresh_offer();
}

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

namespace {

bool same_tracks(const std::vector<room::OfferedTrack>& a,
                 const std::vector<room::OfferedTrack>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const room::OfferedTrack& x, const room::OfferedTrack& y) {
                      return x.track.id == y.track.id && x.track.ssrc == y.track.ssrc &&
                             x.payload_types == y.payload_types &&
                             x.extension_ids == y.extension_ids;
                    });
}

}  // namespace

void MediaParticipant::refresh_offer() {
  if (closing_ || !started_ || member_ == nullptr) return;
  if (offers_.has_pending_offer()) {
    reoffer_ = true;
    return;
  }
  reoffer_ = false;
  auto wanted = room_.offered_tracks_for(*this);
  if (same_tracks(wanted, committed_)) return;
  std::vector<sdp::ForwardedTrack> tracks;
  tracks.reserve(wanted.size());
  for (const auto& offered : wanted) tracks.push_back(offered.track);
  const auto offer = offers_.create_offer(tracks, local_transport());
  offered_ = std::move(wanted);
  context_.counters.server_offers.increment();
  context_.channel->send_offer(room_.name(), id_, sdp::serialize(offer));
}

void MediaParticipant::on_answer(const std::string& text) {
  if (closing_) return;
  if (!offers_.has_pending_offer()) {
    return reject("answer without an outstanding server offer");
  }
  auto answer = sdp::parse(text);
  if (!answer) {
    offers_.rollback();
    offered_.clear();
    return reject("bad SDP: " + answer.error().message());
  }
  auto sent = offers_.apply_answer(*answer);
  if (!sent) {
    offered_.clear();
    return reject("bad answer: " + sent.error().message());
  }
  std::vector<room::Subscription> subscriptions;
  for (const auto& media : *sent) {
    if (!media.accepted) continue;
    const auto it =
        std::find_if(offered_.begin(), offered_.end(),
                     [&](const room::OfferedTrack& t) { return t.track.id == media.track_id; });
    if (it != offered_.end()) subscriptions.push_back(room::subscription_for(*it, media));
  }
  committed_ = std::move(offered_);
  offered_.clear();
  if (member_ != nullptr) room_.router().subscribe(*member_, subscriptions, room_.now());
  room_.arm_router_timer();
  if (reoffer_) refresh_offer();
}

void MediaParticipant::set_state(const room::ParticipantState& state) {
  if (member_ != nullptr) room_.router().set_state(*member_, state, room_.now());
  room_.arm_router_timer();
}

void MediaParticipant::leave_router() {
  if (member_ == nullptr) return;
  room_.router().remove(*member_);
  member_ = nullptr;
}

bool MediaParticipant::send_rtp(std::span<std::uint8_t> buffer, std::size_t length) noexcept {
  return peer_ != nullptr && peer_->send_rtp(buffer, length) == transport::SendResult::Sent;
}

bool MediaParticipant::send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept {
  return peer_ != nullptr && peer_->send_rtcp(buffer, length) == transport::SendResult::Sent;
}

void MediaParticipant::on_candidate(const room::IceCandidate& candidate) {
  if (closing_) return;
  if (!started_) {
    if (pending_candidates_.size() < context_.limits.max_pending_candidates) {
      pending_candidates_.push_back(candidate.candidate);
    }
    return;
  }
  apply_remote_candidate(candidate.candidate);
}

void MediaParticipant::apply_remote_candidate(const std::string& candidate) {
  const auto result = peer_->add_remote_candidate(candidate);
  if (result != transport::CandidateResult::Added &&
      result != transport::CandidateResult::EndOfCandidates) {
    logger().debug("participant {}: remote candidate ignored ({}): {}", id_,
                   transport::to_string(result), candidate);
  }
}

void MediaParticipant::close() {
  if (closing_) return;
  closing_ = true;
  // The Peer aborts its data channels while DTLS is still up.
  if (peer_ != nullptr) peer_->close();
  leave_router();
  const bool published = !published_.empty();
  published_.clear();
  if (published) room_.on_tracks_changed(*this);
  context_.request_sweep();
}

void MediaParticipant::reject(std::string message) {
  context_.counters.offers_rejected.increment();
  logger().info("participant {} in room {}: offer rejected: {}", id_, room_.name(), message);
  context_.channel->reject_sdp(room_.name(), id_, std::move(message));
}

void MediaParticipant::fail(std::string reason) {
  if (closing_) return;
  logger().info("participant {} in room {} removed: {}", id_, room_.name(), reason);
  context_.channel->remove_participant(room_.name(), id_, std::move(reason));
  close();
}

void MediaParticipant::on_state(transport::PeerState state, std::string_view reason) {
  switch (state) {
    case transport::PeerState::Connected:
      context_.counters.peers_connected.increment();
      if (member_ != nullptr) room_.router().on_connected(*member_, room_.now());
      room_.arm_router_timer();
      return;
    case transport::PeerState::Failed:
    case transport::PeerState::Closed:
      context_.counters.peers_failed.increment();
      return fail(std::string(transport::to_string(state)) + ": " + std::string(reason));
    case transport::PeerState::New:
    case transport::PeerState::Connecting:
      return;
  }
}

RtpKind MediaParticipant::kind_of(std::uint8_t payload_type) const noexcept {
  for (const auto& [type, kind] : payload_kinds_) {
    if (type == payload_type) return kind;
  }
  return RtpKind::unknown;
}

void MediaParticipant::on_rtp(std::span<std::uint8_t> packet) noexcept {
  // The Peer delivers only packets of at least a fixed RTP header; byte 1 holds M + PT.
  const auto kind = packet.size() >= 2 ? kind_of(packet[1] & 0x7f) : RtpKind::unknown;
  const auto index = static_cast<std::size_t>(kind);
  context_.counters.rtp_packets[index].increment();
  context_.counters.rtp_bytes[index].add(packet.size());
  room_.on_rtp(*this, packet);
}

void MediaParticipant::on_rtcp(std::span<std::uint8_t> packet) noexcept {
  context_.counters.rtcp_packets.increment();
  room_.on_rtcp(*this, packet);
}

void MediaParticipant::on_local_candidate(std::string candidate) {
  if (closing_ || local_candidates_ >= context_.limits.max_local_candidates) return;
  ++local_candidates_;
  context_.channel->send_candidate(room_.name(), id_,
                                   room::IceCandidate{std::move(candidate), candidate_mid_, 0});
}

void MediaParticipant::on_gathering_done() {
  if (closing_) return;
  context_.channel->send_candidate(room_.name(), id_, room::IceCandidate{"", candidate_mid_, 0});
}

void MediaParticipant::enable_data_channels(const sdp::NegotiatedMedia& application) {
  const auto result = peer_->enable_data_channels(
      transport::data_channel_config_from(application, capabilities().max_message_size));
  if (result != transport::EnableDataResult::Enabled) {
    logger().info("participant {}: no data channels: {}", id_, transport::to_string(result));
  }
}

bool MediaParticipant::data_up() const noexcept {
  return peer_ != nullptr && peer_->data_channels_up();
}

void MediaParticipant::ensure_channel(const std::string& label, const std::string& protocol,
                                      const transport::DataChannelParameters& parameters) {
  if (!data_up() || peer_->data_channel_id(label)) return;
  const auto opened = peer_->open_data_channel(label, protocol, parameters);
  if (!opened.id) {
    logger().info("participant {}: could not open data channel '{}': {}", id_, label,
                  transport::to_string(opened.error));
    return;
  }
  context_.counters.data_channels_opened.increment();
}

bool MediaParticipant::send_data(std::string_view label, std::span<const std::uint8_t> data,
                                 bool binary) {
  if (!data_up()) return false;
  const auto id = peer_->data_channel_id(label);
  if (!id) return false;
  const auto result = peer_->send_data(*id, data, binary);
  if (result == transport::DataSendResult::Sent) return true;
  logger().debug("participant {}: relayed message on '{}' not sent: {}", id_, label,
                 transport::to_string(result));
  return false;
}

void MediaParticipant::on_data_state(transport::DataState state, std::string_view reason) {
  if (state == transport::DataState::Up) {
    room_.on_data_up(*this);
    return;
  }
  logger().info("participant {}: data channels {}: {}", id_, transport::to_string(state), reason);
}

void MediaParticipant::on_data_channel_open(std::uint16_t /*id*/, std::string_view label,
                                            std::string_view protocol,
                                            const transport::DataChannelParameters& parameters) {
  context_.counters.data_channels_opened.increment();
  room_.on_data_channel(*this, std::string(label), std::string(protocol), parameters);
}

void MediaParticipant::on_data_message(std::uint16_t /*id*/, std::string_view label,
                                       std::span<const std::uint8_t> data, bool binary) {
  context_.counters.data_messages_received.increment();
  room_.relay_data(*this, std::string(label), data, binary);
}

void MediaParticipant::collect_counters() {
  if (peer_ == nullptr) return;
  const auto& now = peer_->counters();
  auto& c = context_.counters;
  c.datagrams_received.add(now.datagrams_in - collected_.datagrams_in);
  c.bytes_received.add(now.bytes_in - collected_.bytes_in);
  c.decrypt_failures.add(now.decrypt_failures - collected_.decrypt_failures);
  c.replays.add(now.replays - collected_.replays);
  c.packets_sent.add(now.rtp_sent + now.rtcp_sent - collected_.rtp_sent - collected_.rtcp_sent);
  c.send_failures.add(now.send_failures - collected_.send_failures);
  c.data_packets_unsent.add(now.data_packets_unsent - collected_.data_packets_unsent);
  collected_ = now;
}

}  // namespace rrtc::engine
