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

// The Peer's own connect timeout (from its start: the first accepted offer, or a viewer's answer
// to the server's first offer) is a backstop behind the participant's deadline (from the first
// offer either way): one second later, so the participant's deadline, with its 408, always fires
// first.
constexpr auto kPeerConnectBackstop = std::chrono::seconds(1);

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

// Stands in for the Peer's transport while a first offer is validated, before any Peer exists:
// answer_offer() needs one, and the answer made with it is only checked, never sent.
const sdp::LocalTransport& placeholder_transport() {
  static const sdp::LocalTransport transport = [] {
    sdp::LocalTransport local;
    local.ice_ufrag = "vali";
    local.ice_pwd = "validationvalidationvv";
    local.fingerprint = {"sha-256", std::string(95, '0')};
    return local;
  }();
  return transport;
}

// The mid our candidates belong to: the BUNDLE tag (first mid of the group) of our answer, or of
// our first offer to a viewer.
std::string candidate_mid(const sdp::SessionDescription& sdp) {
  if (const auto* group = sdp.bundle_group(); group != nullptr && !group->mids.empty()) {
    return group->mids.front();
  }
  return sdp.media.empty() ? std::string() : sdp.media.front().mid;
}

// Our a=sctp-port in the data channel m-line of a first server offer, and its message size.
const sdp::DataChannelOffer& data_channel_offer() {
  static const sdp::DataChannelOffer offer{5000, sdp::default_capabilities().max_message_size};
  return offer;
}

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

MediaParticipant::MediaParticipant(MediaContext& context, MediaRoom& room, std::string id,
                                   const room::ParticipantState& state)
    : context_(context),
      room_(room),
      id_(std::move(id)),
      timer_(context.loop),
      data_messages_(context.limits.max_data_messages_per_second),
      data_bytes_(context.limits.max_data_bytes_per_second),
      bandwidth_(context, room, *this) {
  room::RouterSink& sink = *this;  // private base: convertible only in here
  member_ = &room_.router().add(id_, sink, state);
  // A viewer's first offer, if the room has something for it by then (the participant is in its
  // room's map when the timer fires: the constructor runs inside MediaRoom::join).
  first_offer_at_ = room_.now() + time::to_duration(kViewerOfferDelay);
  first_offer_timer_ = context_.loop.add_timer(first_offer_at_, [this] { refresh_offer(); });
}

MediaParticipant::~MediaParticipant() {
  connect_timer_.cancel();
  first_offer_timer_.cancel();
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

void MediaParticipant::arm_connect_deadline() {
  if (deadline_armed_ || connected_) return;
  deadline_armed_ = true;
  connect_timer_ = context_.loop.add_timer(time::to_duration(context_.limits.connect_timeout),
                                           [this] { on_connect_deadline(); });
}

void MediaParticipant::on_connect_deadline() {
  if (closing_ || connected_) return;
  context_.counters.connect_timeouts.increment();
  const auto seconds = context_.limits.connect_timeout.count();
  auto& limit = context_.log_limits.connect_timeout;
  if (limit.allow(room_.now())) {
    logger().info(
        "participant {} in room {} removed: not connected {} s after its first offer "
        "({} more since the last line)",
        id_, room_.name(), seconds, limit.suppressed());
  }
  context_.channel->send_error(room_.name(), id_, 408,
                               "connect timeout: the PeerConnection did not connect within " +
                                   std::to_string(seconds) + " s of the first offer",
                               true);
  close();
}

void MediaParticipant::on_offer(const std::string& text,
                                const std::vector<room::TrackInfo>& tracks) {
  if (closing_) return;
  client_offered_ = true;
  first_offer_timer_.cancel();
  arm_connect_deadline();  // from the first offer, rejected or not
  auto offer = sdp::parse(text, offer_parse_limits(offers_.media_section_count()));
  if (!offer) return reject("bad SDP: " + offer.error().message());
  sdp::AnswerInput input{&capabilities(), nullptr, {}, offers_.sending_tracks()};
  for (const auto& track : tracks) input.track_types.push_back({track.mid, to_sdp(track.type)});
  // Everything is checked against an answer made before any allocation: with the Peer's own
  // transport once it exists, with a placeholder before (the first offer).
  const sdp::LocalTransport local = peer_ != nullptr ? local_transport() : placeholder_transport();
  input.transport = &local;
  auto answer = sdp::answer_offer(*offer, input);
  if (!answer) return reject("bad SDP: " + answer.error().message());
  transport::SdpTransportError error = transport::SdpTransportError::None;
  auto config = transport::peer_config_from(answer->remote, dtls::Role::Passive, &error);
  if (!config) return reject(std::string("bad SDP: ") + transport::to_string(error));
  if (auto why = history_.check(*offer, *answer, *config)) return reject("bad SDP: " + *why);

  if (peer_ == nullptr) {
    if (!create_peer()) return fail("could not create the ICE agent");
    const sdp::LocalTransport own = local_transport();
    input.transport = &own;
    answer = sdp::answer_offer(*offer, input);
    if (!answer) return fail("answer failed with the Peer's transport");
  }
  if (offers_.has_pending_offer()) {
    // Glare: the server is polite. Its offer is rolled back and made again after this answer.
    offers_.rollback();
    offered_.clear();
    reoffer_ = true;
  }
  history_.record(*answer, *config);
  if (!started_) {
    candidate_mid_ = candidate_mid(answer->sdp);
    if (!start_peer(answer->remote, std::move(*config))) return;
  }
  publish(*answer);
  // Sent before any trickled candidate: those come from later loop events, and the channel keeps
  // this thread's order.
  context_.channel->send_answer(room_.name(), id_, sdp::serialize(answer->sdp));
  room_.on_tracks_changed(*this);
  refresh_offer();
}

bool MediaParticipant::start_peer(const sdp::RemoteTransport& remote,
                                  transport::PeerConfig config) {
  config.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      context_.limits.connect_timeout + kPeerConnectBackstop);
  if (const auto started = peer_->start(config); started != transport::StartResult::Started) {
    fail(std::string("could not start the peer: ") + transport::to_string(started));
    return false;
  }
  started_ = true;
  for (const auto& candidate : transport::remote_candidates_from(remote)) {
    apply_remote_candidate(candidate);
  }
  for (const auto& candidate : pending_candidates_) apply_remote_candidate(candidate);
  pending_candidates_.clear();
  pending_candidates_.shrink_to_fit();
  return true;
}

void MediaParticipant::publish(const sdp::Answer& answer) {
  payload_kinds_.clear();
  for (const auto& media : answer.media) {
    if (!media.accepted || media.kind == sdp::MediaKind::application) continue;
    const auto kind = media.kind == sdp::MediaKind::audio ? RtpKind::audio : RtpKind::video;
    for (const auto& codec : media.codecs) {
      payload_kinds_.emplace_back(codec.codec.payload_type, kind);
      if (codec.rtx_payload_type) payload_kinds_.emplace_back(*codec.rtx_payload_type, kind);
    }
  }
  offers_.on_client_offer_answered(answer);
  for (const auto& media : answer.media) {
    if (media.accepted && media.kind == sdp::MediaKind::application &&
        !peer_->data_channels_enabled()) {
      enable_data_channels(media);
    }
  }
  published_ = room::published_media(id_, answer);
  own_media_.clear();
  std::vector<room::PublishedTrack> published;
  for (const auto& media : published_) {
    own_media_.push_back(media.media);
    published.push_back(media.track);
  }
  bandwidth_.on_published(published);
  if (member_ != nullptr) room_.router().publish(*member_, published, room_.now());
  room_.arm_router_timer();
}

void MediaParticipant::refresh_offer() {
  if (closing_ || member_ == nullptr) return;
  if (!started_ && !may_offer_first()) return;
  if (offers_.has_pending_offer()) {
    reoffer_ = true;
    return;
  }
  reoffer_ = false;
  auto wanted = room_.offered_tracks_for(*this);
  reclaim_ssrcs(wanted);
  const bool first = !started_;
  // A viewer is offered once the room has tracks for it or data channels (chat) it can join.
  if (first ? wanted.empty() && !room_.has_data_labels() : same_tracks(wanted, committed_)) return;
  if (peer_ == nullptr && !create_peer()) return fail("could not create the ICE agent");
  std::vector<sdp::ForwardedTrack> tracks;
  tracks.reserve(wanted.size());
  for (const auto& offered : wanted) tracks.push_back(offered.track);
  const bool data = first && capabilities().data_channels;
  const auto offer =
      offers_.create_offer(tracks, local_transport(), data ? &data_channel_offer() : nullptr);
  if (first) {
    // The server starts this PeerConnection: its candidates belong to our offer's BUNDLE tag,
    // and the connect deadline runs from this offer.
    candidate_mid_ = candidate_mid(offer);
    arm_connect_deadline();
  }
  offered_ = std::move(wanted);
  context_.counters.server_offers.increment();
  context_.channel->send_offer(room_.name(), id_, sdp::serialize(offer));
}

void MediaParticipant::on_answer(const std::string& text) {
  if (closing_) return;
  if (!offers_.has_pending_offer()) {
    return reject("answer without an outstanding server offer");
  }
  auto answer = sdp::parse(text, offer_parse_limits(offers_.media_section_count()));
  if (!answer) {
    offers_.rollback();
    offered_.clear();
    return reject("bad SDP: " + answer.error().message());
  }
  // A viewer's answer to the server's first offer carries the transport that starts its Peer:
  // checked before anything is committed.
  std::optional<std::pair<sdp::RemoteTransport, transport::PeerConfig>> first;
  if (!started_ && !(first = first_answer_transport(*answer))) return;
  auto sent = offers_.apply_answer(*answer);
  if (!sent) {
    offered_.clear();
    return reject("bad answer: " + sent.error().message());
  }
  count_ignored();
  if (first) {
    history_.record_transport(first->second);
    if (!start_peer(first->first, std::move(first->second))) return;
    if (const auto& data = offers_.answered_data()) enable_offered_data_channels(*data);
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
  reclaim_ssrcs({});
  bandwidth_.on_subscribed(subscriptions);
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

void MediaParticipant::close() {
  if (closing_) return;
  closing_ = true;
  connect_timer_.cancel();
  first_offer_timer_.cancel();
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
  auto& limit = context_.log_limits.offer_rejected;
  if (limit.allow(room_.now())) {
    logger().info("participant {} in room {}: SDP rejected: {} ({} more since the last line)", id_,
                  room_.name(), message, limit.suppressed());
  }
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
      connected_ = true;
      connect_timer_.cancel();
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

}  // namespace rrtc::engine
