#include "participant.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "clock.hpp"
#include "ice/nice_transport.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::loadgen {
namespace json = boost::json;

namespace {

std::uint32_t mix(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x == 0 ? 1 : x;
}

std::string string_field(const json::object& message, const char* key) {
  const auto* value = message.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

Participant::Participant(LoopContext& context, boost::asio::io_context& ioc, const WsUrl& url,
                         ParticipantSpec spec)
    : context_(context), ioc_(ioc), url_(url), spec_(std::move(spec)), timer_(context.loop) {
  published_.participant_id = spec_.id;
  published_.audio = context_.media.audio;
  published_.video = context_.media.video;
  published_.audio_ssrc = mix(spec_.index * 2 + 1);
  published_.video_ssrc = mix(spec_.index * 2 + 2);
  published_.layers = context_.media.layers;
}

Participant::~Participant() {
  sender_.reset();
  receiver_.reset();
  peer_.reset();
  timer_.set_peer(nullptr);
}

void Participant::start() {
  phase_ = ParticipantPhase::joining;
  join_ns_ = mono_ns();
  SignalingListener& listener = *this;  // private base: convertible only in here
  client_ = std::make_shared<SignalingClient>(ioc_, url_, listener);
  boost::asio::post(ioc_, [client = client_] { client->start(); });
}

void Participant::stop() {
  if (sender_) sender_->stop();
  if (receiver_) receiver_->stop();
  if (peer_) peer_->close();
  if (client_) {
    client_->send(R"({"type":"leave"})");
    client_->close();
  }
  if (phase_ != ParticipantPhase::failed) phase_ = ParticipantPhase::closed;
}

void Participant::on_ws_open() {
  json::object join{
      {"type", "join"}, {"room", spec_.room}, {"participant", spec_.id}, {"name", spec_.id}};
  client_->send(json::serialize(join));
}

void Participant::on_ws_message(std::string text) {
  context_.loop.post([this, text = std::move(text)] { handle(text); });
}

void Participant::on_ws_closed(std::string why) {
  context_.loop.post([this, why = std::move(why)] {
    if (phase_ != ParticipantPhase::closed) fail("signaling closed: " + why);
  });
}

void Participant::send(const json::object& message) {
  if (client_) client_->send(json::serialize(message));
}

void Participant::fail(std::string why) {
  if (phase_ == ParticipantPhase::failed || phase_ == ParticipantPhase::closed) return;
  phase_ = ParticipantPhase::failed;
  failure_ = std::move(why);
  if (sender_) sender_->stop();
  if (receiver_) receiver_->stop();
}

void Participant::handle(const std::string& text) {
  if (phase_ == ParticipantPhase::closed) return;
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return fail("unparsable message from the server");
  const auto& message = value.as_object();
  const std::string type = string_field(message, "type");
  if (type == "joined") return on_joined();
  if (type == "answer") return on_answer(string_field(message, "sdp"));
  if (type == "offer") return on_server_offer(string_field(message, "sdp"));
  if (type == "candidate") return on_remote_candidate(message);
  if (type == "error") {
    ++errors_;
    const auto* code = message.if_contains("code");
    const auto n = code != nullptr && code->is_int64() ? code->as_int64() : 0;
    // A run that pins the layer must not go on measuring something else: a server without
    // track_settings (400 "unknown message type") or refusing one fails the participant.
    if (!track_settings_sent_.empty() && n == 400) {
      return fail("track_settings refused: server error 400: " + string_field(message, "message"));
    }
    // 429 (rate limit) and 400 for a stray message are survivable; a refused join is not.
    if (phase_ == ParticipantPhase::joining || n == 403 || n == 409 || n == 401 || n == 500) {
      fail("server error " + std::to_string(n) + ": " + string_field(message, "message"));
    }
  }
  // participant_joined / participant_left / state_update: nothing to do.
}

void Participant::on_joined() {
  if (phase_ != ParticipantPhase::joining) return;
  std::unique_ptr<ice::IceTransport> ice =
      ice::NiceTransport::create(context_.loop, context_.ice);
  if (ice == nullptr) return fail("libnice refused the ICE configuration");
  if (hooks_.wrap_transport) ice = hooks_.wrap_transport(std::move(ice));
  transport::PeerListener& listener = *this;
  peer_ = std::make_unique<transport::Peer>(std::move(ice), context_.certificate, timer_, listener);
  timer_.set_peer(peer_.get());
  const auto credentials = peer_->local_credentials();
  identity_.ice_ufrag = credentials.ufrag;
  identity_.ice_pwd = credentials.pwd;
  identity_.fingerprint = {"sha-256", context_.certificate->fingerprint_sha256()};
  identity_.session_id = std::to_string(mix(spec_.index + 7) | 1u);
  identity_.cname = spec_.id;
  identity_.transport_cc = context_.transport_cc;
  const auto offer = spec_.publishes
                         ? publisher_offer(identity_, published_, ++sdp_version_)
                         : subscriber_offer(identity_, ++sdp_version_, context_.subscriber_offer);
  candidate_mid_ = offer.media.front().mid;
  json::array tracks;
  if (spec_.publishes) {
    if (published_.audio) tracks.push_back(json::object{{"mid", kAudioMid}, {"type", "audio"}});
    if (published_.video) tracks.push_back(json::object{{"mid", kVideoMid}, {"type", "camera"}});
  }
  json::object message{{"type", "offer"}, {"sdp", sdp::serialize(offer)}};
  if (!tracks.empty()) message["tracks"] = std::move(tracks);
  send(message);
  phase_ = ParticipantPhase::negotiating;
  receiver_ = std::make_unique<MediaReceiver>(*peer_, *context_.wheel, context_.stats,
                                              context_.window, mix(spec_.index * 2 + 3));
  if (spec_.publishes) {
    SenderIdentity id;
    id.publisher = spec_.index;
    id.audio_ssrc = published_.audio_ssrc;
    id.video_ssrcs[0] = published_.video_ssrc;
    // The other layers' SSRCs: inputs the audio / first-layer formulas never produce.
    for (std::uint32_t l = 1; l < kMaxLayers; ++l)
      id.video_ssrcs[l] = mix((1u << 31) | (spec_.index * 4 + l));
    id.audio_pt = kOpusPayloadType;
    id.video_pt = kVp8PayloadType;
    sender_ = std::make_unique<MediaSender>(*peer_, *context_.wheel, context_.stats,
                                            context_.window, context_.media, id, mix(spec_.index));
  }
}

void Participant::on_answer(const std::string& text) {
  if (peer_ == nullptr || answered_) return;
  auto answer = sdp::parse(text);
  if (!answer) return fail("unparsable answer: " + answer.error().message());
  const auto remote = remote_transport(*answer);
  if (!remote) return fail("answer without ICE credentials or fingerprint");
  auto config = client_peer_config(*remote);
  if (hooks_.adjust_config) hooks_.adjust_config(config);
  if (const auto started = peer_->start(config); started != transport::StartResult::Started) {
    return fail(std::string("could not start the peer: ") + transport::to_string(started));
  }
  answered_ = true;
  simulcast_accepted_ = answer_accepts_simulcast(*answer);
  if (sender_) {
    const auto ids = sender_extensions(*answer);
    sender_->set_extensions(SenderExtensions{ids.transport_cc, ids.mid, ids.rid});
  }
  for (const auto& candidate : remote->candidates) {
    if (hooks_.on_server_candidate) hooks_.on_server_candidate(candidate);
    peer_->add_remote_candidate(candidate);
  }
  for (const auto& candidate : early_candidates_) peer_->add_remote_candidate(candidate);
  early_candidates_.clear();
  if (hooks_.on_started) hooks_.on_started(config);
}

void Participant::on_remote_candidate(const json::object& message) {
  const std::string candidate = string_field(message, "candidate");
  if (!candidate.empty() && hooks_.on_server_candidate) hooks_.on_server_candidate(candidate);
  if (peer_ == nullptr) return;
  if (!answered_) {
    if (early_candidates_.size() < ice::kMaxRemoteCandidates)
      early_candidates_.push_back(candidate);
    return;
  }
  peer_->add_remote_candidate(candidate);
}

void Participant::on_server_offer(const std::string& text) {
  if (peer_ == nullptr) return;
  auto offer = sdp::parse(text);
  if (!offer) return fail("unparsable server offer: " + offer.error().message());
  ++server_offers_;
  auto answer = answer_server_offer(*offer, identity_, spec_.publishes ? &published_ : nullptr,
                                    ++sdp_version_);
  if (!answer) return fail("server offer without a usable m-line");
  receiver_->set_tracks(answer->tracks);
  receiver_->set_transport_cc(answer->transport_cc_extension_id);
  if (hooks_.on_tracks) hooks_.on_tracks(answer->tracks);
  send(json::object{{"type", "answer"}, {"sdp", sdp::serialize(answer->answer)}});
  send_track_settings(answer->tracks);
}

void Participant::send_track_settings(const std::vector<ForwardedTrack>& tracks) {
  if (context_.subscriber_max_width == 0) return;
  for (const auto& track : tracks) {
    if (track.kind != StreamKind::video || track.track_id.empty() ||
        std::find(track_settings_sent_.begin(), track_settings_sent_.end(), track.track_id) !=
            track_settings_sent_.end()) {
      continue;
    }
    track_settings_sent_.push_back(track.track_id);
    send(json::object{{"type", "track_settings"},
                      {"track_id", track.track_id},
                      {"max_width", context_.subscriber_max_width}});
  }
}

void Participant::on_state(transport::PeerState state, std::string_view reason) {
  switch (state) {
    case transport::PeerState::Connected:
      phase_ = ParticipantPhase::connected;
      connected_ns_ = mono_ns();
      receiver_->start();
      if (sender_) sender_->start();
      return;
    case transport::PeerState::Failed:
    case transport::PeerState::Closed:
      return fail(std::string("peer ") + transport::to_string(state) + ": " + std::string(reason));
    case transport::PeerState::New:
    case transport::PeerState::Connecting:
      return;
  }
}

void Participant::on_rtp(std::span<std::uint8_t> packet) noexcept {
  if (hooks_.on_rtp) hooks_.on_rtp(packet);
  if (receiver_) receiver_->on_rtp(packet);
}

void Participant::on_rtcp(std::span<std::uint8_t> packet) noexcept {
  ++context_.stats.packets_in;
  if (sender_) sender_->on_rtcp(packet);
}

void Participant::on_local_candidate(std::string candidate) {
  send(json::object{{"type", "candidate"},
                    {"candidate", candidate},
                    {"sdpMid", candidate_mid_},
                    {"sdpMLineIndex", 0}});
}

void Participant::on_gathering_done() {
  send(json::object{
      {"type", "candidate"}, {"candidate", ""}, {"sdpMid", candidate_mid_}, {"sdpMLineIndex", 0}});
}

}  // namespace rrtc::loadgen
