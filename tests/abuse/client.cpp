#include "client.hpp"

#include <boost/json.hpp>

#include "clock.hpp"
#include "ice/nice_transport.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace rrtc::abuse {
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

std::string field(const json::object& message, const char* key) {
  const auto* value = message.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

Client::Client(Env& env, boost::asio::io_context& ioc, const loadgen::WsUrl& url, std::string room,
               std::string id, std::uint32_t index, bool publishes)
    : env_(env),
      ioc_(ioc),
      url_(url),
      room_(std::move(room)),
      id_(std::move(id)),
      index_(index),
      publishes_(publishes),
      timer_(env.loop) {
  published_.participant_id = id_;
  published_.audio = env_.media.audio;
  published_.video = env_.media.video;
  published_.audio_ssrc = mix(index_ * 2 + 1);
  published_.video_ssrc = mix(index_ * 2 + 2);
}

Client::~Client() {
  sender_.reset();
  receiver_.reset();
  peer_.reset();
  timer_.set_peer(nullptr);
}

void Client::start() {
  phase_ = Phase::joining;
  loadgen::SignalingListener& listener = *this;
  client_ = std::make_shared<loadgen::SignalingClient>(ioc_, url_, listener);
  boost::asio::post(ioc_, [client = client_] { client->start(); });
}

void Client::stop() {
  if (sender_) sender_->stop();
  if (receiver_) receiver_->stop();
  if (peer_) peer_->close();
  if (client_) {
    client_->send(R"({"type":"leave"})");
    client_->close();
  }
  if (phase_ != Phase::failed) phase_ = Phase::closed;
}

void Client::on_ws_open() {
  send(json::serialize(
      json::object{{"type", "join"}, {"room", room_}, {"participant", id_}, {"name", id_}}));
}

void Client::on_ws_message(std::string text) {
  env_.loop.post([this, text = std::move(text)] { handle(text); });
}

void Client::on_ws_closed(std::string why) {
  env_.loop.post([this, why = std::move(why)] {
    if (phase_ != Phase::closed) fail("signaling closed: " + why);
  });
}

void Client::send(const std::string& text) {
  if (client_) client_->send(text);
}

void Client::fail(std::string why) {
  if (phase_ == Phase::failed || phase_ == Phase::closed) return;
  phase_ = Phase::failed;
  failure_ = std::move(why);
  if (sender_) sender_->stop();
  if (receiver_) receiver_->stop();
}

void Client::handle(const std::string& text) {
  if (phase_ == Phase::closed) return;
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return fail("unparsable message from the server");
  const auto& message = value.as_object();
  const std::string type = field(message, "type");
  if (type == "joined") return on_joined();
  if (type == "answer") return on_answer(field(message, "sdp"));
  if (type == "offer") return on_server_offer(field(message, "sdp"));
  if (type == "candidate") {
    const std::string candidate = field(message, "candidate");
    if (!candidate.empty()) server_candidates_.push_back(candidate);
    if (peer_ == nullptr) return;
    if (!peer_config_) {
      early_candidates_.push_back(candidate);
    } else {
      peer_->add_remote_candidate(candidate);
    }
    return;
  }
  if (type == "error" && phase_ == Phase::joining) fail("join refused: " + text);
}

void Client::on_joined() {
  if (phase_ != Phase::joining) return;
  auto nice = ice::NiceTransport::create(env_.loop.context(), env_.ice);
  if (nice == nullptr) return fail("libnice refused the ICE configuration");
  auto tap = std::make_unique<TapTransport>(std::move(nice));
  tap_ = tap.get();
  transport::PeerListener& listener = *this;
  peer_ = std::make_unique<transport::Peer>(std::move(tap), env_.certificate, timer_, listener);
  timer_.set_peer(peer_.get());
  const auto credentials = peer_->local_credentials();
  identity_.ice_ufrag = credentials.ufrag;
  identity_.ice_pwd = credentials.pwd;
  identity_.fingerprint = {"sha-256", env_.certificate->fingerprint_sha256()};
  identity_.session_id = std::to_string(mix(index_ + 7) | 1u);
  identity_.cname = id_;
  const auto offer = publishes_ ? loadgen::publisher_offer(identity_, published_, ++sdp_version_)
                                : loadgen::subscriber_offer(identity_, ++sdp_version_);
  candidate_mid_ = offer.media.front().mid;
  json::object message{{"type", "offer"}, {"sdp", sdp::serialize(offer)}};
  if (publishes_) {
    json::array tracks;
    if (published_.audio) tracks.push_back(json::object{{"mid", loadgen::kAudioMid}, {"type", "audio"}});
    if (published_.video) tracks.push_back(json::object{{"mid", loadgen::kVideoMid}, {"type", "camera"}});
    message["tracks"] = std::move(tracks);
  }
  send(json::serialize(message));
  phase_ = Phase::negotiating;
  receiver_ = std::make_unique<loadgen::MediaReceiver>(*peer_, *env_.wheel, env_.stats,
                                                       env_.window, mix(index_ * 2 + 3));
  if (publishes_) {
    loadgen::SenderIdentity sender;
    sender.publisher = index_;
    sender.audio_ssrc = published_.audio_ssrc;
    sender.video_ssrc = published_.video_ssrc;
    sender.audio_pt = loadgen::kOpusPayloadType;
    sender.video_pt = loadgen::kVp8PayloadType;
    sender_ = std::make_unique<loadgen::MediaSender>(*peer_, *env_.wheel, env_.stats, env_.window,
                                                     env_.media, sender, mix(index_));
  }
}

void Client::on_answer(const std::string& text) {
  if (peer_ == nullptr || peer_config_) return;
  auto answer = sdp::parse(text);
  if (!answer) return fail("unparsable answer");
  const auto remote = loadgen::remote_transport(*answer);
  if (!remote) return fail("answer without ICE credentials or fingerprint");
  auto config = loadgen::client_peer_config(*remote);
  if (adjust_config) adjust_config(config);
  if (const auto started = peer_->start(config); started != transport::StartResult::Started) {
    return fail(std::string("peer start: ") + transport::to_string(started));
  }
  peer_config_ = config;
  server_candidates_.insert(server_candidates_.end(), remote->candidates.begin(),
                            remote->candidates.end());
  for (const auto& candidate : remote->candidates) peer_->add_remote_candidate(candidate);
  for (const auto& candidate : early_candidates_) peer_->add_remote_candidate(candidate);
  early_candidates_.clear();
  if (on_started) on_started();
}

void Client::on_server_offer(const std::string& text) {
  if (peer_ == nullptr) return;
  auto offer = sdp::parse(text);
  if (!offer) return fail("unparsable server offer");
  auto answer = loadgen::answer_server_offer(*offer, identity_, publishes_ ? &published_ : nullptr,
                                             ++sdp_version_);
  if (!answer) return fail("server offer without a usable m-line");
  receiver_->set_tracks(answer->tracks);
  for (const auto& track : answer->tracks) publisher_of_[track.ssrc] = track.participant_id;
  tracks_ = answer->tracks;
  send(json::serialize(
      json::object{{"type", "answer"}, {"sdp", sdp::serialize(answer->answer)}}));
}

void Client::on_state(transport::PeerState state, std::string_view reason) {
  switch (state) {
    case transport::PeerState::Connected:
      phase_ = Phase::connected;
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

void Client::start_measuring() {
  measuring_ = true;
  gaps_.clear();
  const auto now = loadgen::mono_ns();
  for (const auto& [ssrc, publisher] : publisher_of_) gaps_[publisher].last_ns = now;
}

std::map<std::string, GapStats> Client::measured() const {
  auto result = gaps_;
  const auto now = loadgen::mono_ns();
  for (auto& [publisher, gap] : result) gap.max_gap_ns = std::max(gap.max_gap_ns, now - gap.last_ns);
  return result;
}

std::uint32_t Client::forwarded_ssrc(const std::string& publisher, bool video) const {
  for (const auto& track : tracks_) {
    if (track.participant_id == publisher &&
        (track.kind == loadgen::StreamKind::video) == video) {
      return track.ssrc;
    }
  }
  return 0;
}

void Client::on_rtp(std::span<std::uint8_t> packet) noexcept {
  if (packet.size() < 12) return;
  const std::uint32_t ssrc = std::uint32_t{packet[8]} << 24 | std::uint32_t{packet[9]} << 16 |
                             std::uint32_t{packet[10]} << 8 | packet[11];
  ++received_[ssrc];
  last_seq_in_[ssrc] = static_cast<std::uint16_t>(packet[2] << 8 | packet[3]);
  if (measuring_) {
    if (const auto it = publisher_of_.find(ssrc); it != publisher_of_.end()) {
      auto& gap = gaps_[it->second];
      const auto now = loadgen::mono_ns();
      if (gap.last_ns != 0) gap.max_gap_ns = std::max(gap.max_gap_ns, now - gap.last_ns);
      gap.last_ns = now;
      ++gap.packets;
    }
  }
  if (receiver_) receiver_->on_rtp(packet);
}

void Client::on_rtcp(std::span<std::uint8_t> packet) noexcept {
  if (sender_) sender_->on_rtcp(packet);
}

void Client::on_local_candidate(std::string candidate) {
  send(json::serialize(json::object{{"type", "candidate"},
                                    {"candidate", candidate},
                                    {"sdpMid", candidate_mid_},
                                    {"sdpMLineIndex", 0}}));
}

void Client::on_gathering_done() {
  send(json::serialize(json::object{
      {"type", "candidate"}, {"candidate", ""}, {"sdpMid", candidate_mid_}, {"sdpMLineIndex", 0}}));
}

}  // namespace rrtc::abuse
