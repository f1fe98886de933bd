#include "signaling/hub.hpp"

#include <openssl/rand.h>

#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

#include "log/log.hpp"
#include "signaling/cluster_node.hpp"
#include "signaling/http_session.hpp"
#include "signaling/media_channel.hpp"
#include "signaling/relayed_session.hpp"
#include "signaling/turn_credentials.hpp"
#include "signaling/websocket_session.hpp"

namespace rrtc::signaling {

namespace websocket = boost::beast::websocket;

namespace {

spdlog::logger& logger() {
  static spdlog::logger& l = rrtc::log::get("signaling");
  return l;
}

// How long stop() waits for close handshakes before cutting the remaining sockets.
constexpr auto kStopDeadline = std::chrono::seconds(2);
// Floods of refusals and timeouts write one line per kind this often.
constexpr auto kLogInterval = std::chrono::seconds(10);

// 128 random bits from the CSPRNG as 32 hex digits: ids others cannot guess.
std::string random_participant_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

room::RegistryLimits limits_from(const ServerOptions& o) {
  return {o.max_rooms, o.max_participants_per_room,
          std::chrono::duration_cast<time::Duration>(o.empty_room_grace)};
}

// The app validated the entries; a bad one here is a programming error at start-up.
TrustedProxies parse_trusted(const std::vector<std::string>& entries) {
  std::string bad;
  auto parsed = TrustedProxies::parse(entries, &bad);
  if (!parsed) throw std::invalid_argument("trusted_proxies: not an address or CIDR: " + bad);
  return *parsed;
}

}  // namespace

Hub::Hub(boost::asio::io_context& ioc, ServerOptions options, room::MediaBackend* media)
    : ioc_(ioc),
      options_(std::move(options)),
      media_(media),
      registry_(limits_from(options_)),
      static_files_(options_.web_root),
      trusted_proxies_(parse_trusted(options_.trusted_proxies)),
      log_limit_(kLogInterval),
      expiry_timer_(ioc),
      stop_deadline_(ioc),
      liveness_(options_.cluster.node_ttl),
      drain_timer_(ioc) {}

Hub::~Hub() = default;

void Hub::attach_media() {
  if (media_ != nullptr) {
    media_->attach(std::make_shared<MediaChannel>(ioc_.get_executor(), weak_from_this()));
  }
}

void Hub::track(std::uint64_t id, std::weak_ptr<HttpSession> session) {
  http_sessions_[id] = std::move(session);
}

void Hub::track(std::uint64_t id, std::weak_ptr<WebSocketSession> session) {
  ws_sessions_[id] = std::move(session);
}

void Hub::untrack(std::uint64_t id) {
  http_sessions_.erase(id);
  ws_sessions_.erase(id);
  if (stopping_ && http_sessions_.empty() && ws_sessions_.empty()) stop_deadline_.cancel();
}

void Hub::session_opened(WebSocketSession&) { ++session_count_; }

void Hub::session_closed(WebSocketSession& session) {
  if (cluster_) cluster_session_closed(session);
  leave_room(session);
  --session_count_;
}

void Hub::on_text(ClientSession& session, std::string_view text) {
  if (cluster_ && cluster_intercept(session, text)) return;
  ParseResult parsed = parse_client_message(text);
  metrics_.message_in(parsed.message ? type_name(*parsed.message) : "invalid", text.size());
  if (!parsed.message) return send_error(session, parsed.error.code, parsed.error.message);
  ClientMessage& message = *parsed.message;
  if (auto* join = std::get_if<JoinMessage>(&message)) {
    if (session.membership) {
      return send_error(session, ErrorCode::bad_request, "already joined: 'join' is sent once");
    }
    if (cluster_ && cluster_join(session, *join, text)) return;
    return handle_join(session, std::move(*join));
  }
  if (!session.membership) {
    // Built with append: GCC 12 warns falsely (-Wrestrict, its bug 105329) on "'" + string.
    std::string text(1, '\'');
    text.append(type_name(message)).append("' before 'join'");
    return send_error(session, ErrorCode::bad_request, text);
  }
  if (auto* update = std::get_if<StateUpdateMessage>(&message))
    return handle_state(session, update->change);
  if (std::holds_alternative<StartScreenShareMessage>(message)) {
    return handle_state(session, room::StateChange{{}, {}, true});
  }
  if (std::holds_alternative<StopScreenShareMessage>(message)) {
    return handle_state(session, room::StateChange{{}, {}, false});
  }
  if (std::holds_alternative<LeaveMessage>(message)) {
    leave_room(session);
    return session.close(websocket::close_code::normal);
  }
  handle_media(session, message);
}

void Hub::handle_join(ClientSession& session, JoinMessage join) {
  std::string id = join.participant.value_or("");
  if (!check_token(session, join, id)) return;
  if (registry_.participant_count() >= options_.max_participants) {
    metrics_.join_refused("server_full");
    log_limited("join_refused_server_full",
                "refusing a join from {}: {} participants on this server (max_participants)",
                session.address(), registry_.participant_count());
    return send_error(
        session, ErrorCode::service_unavailable,
        "server is full (" + std::to_string(options_.max_participants) + " participants)");
  }
  if (id.empty()) id = random_participant_id();
  room::Participant participant{id, join.name.value_or(""), {}};
  const bool starts_room = registry_.find(join.room) == nullptr;
  if (auto error = registry_.join(join.room, participant)) {
    switch (*error) {
      case room::JoinError::room_full:
        return send_error(session, ErrorCode::forbidden,
                          "room is full (" + std::to_string(options_.max_participants_per_room) +
                              " participants)");
      case room::JoinError::too_many_rooms:
        return send_error(session, ErrorCode::forbidden, "server has reached its room limit");
      case room::JoinError::duplicate_participant:
        return send_error(session, ErrorCode::conflict,
                          "participant '" + id + "' is already in this room");
    }
  }
  session.membership = ClientSession::Membership{join.room, id};
  session.joined();
  members_[{join.room, id}] = &session;
  std::vector<ParticipantInfo> others;
  for (const auto& p : registry_.find(join.room)->participants()) {
    if (p.id != id) others.push_back({p.id, p.name, p.state});
  }
  send(session, "joined",
       std::make_shared<const std::string>(joined_json(
           id, join.room, others, ice_servers_for(options_, id, std::chrono::system_clock::now()))));
  // Someone speaking now: the newcomer learns it at once, not at the next change.
  if (auto it = speakers_.find(join.room); it != speakers_.end()) {
    send(session, "active_speakers", it->second);
  }
  broadcast(join.room, id, "participant_joined",
            participant_joined_json({id, participant.name, participant.state}));
  if (starts_room) emit(RoomEventKind::room_started, join.room);
  emit(RoomEventKind::participant_joined, join.room, id, participant.name);
  logger().debug("{} joined room {} from {}", id, join.room, session.address());
  if (media_ != nullptr) media_->submit({join.room, id, room::request::Join{participant.state}});
}

void Hub::handle_state(ClientSession& session, const room::StateChange& change) {
  const auto& m = *session.membership;
  auto state = registry_.update_state(m.room, m.participant, change);
  if (!state) return;
  broadcast(m.room, m.participant, "state_update", state_update_json(m.participant, *state));
  if (media_ != nullptr) media_->submit({m.room, m.participant, room::request::State{*state}});
}

void Hub::handle_media(ClientSession& session, const ClientMessage& message) {
  const auto& m = *session.membership;
  if (const auto* offer = std::get_if<OfferMessage>(&message)) {
    if (media_ == nullptr) {
      return send_error(session, ErrorCode::internal,
                        "media transport not available on this server");
    }
    return media_->submit(
        {m.room, m.participant,
         room::request::Offer{offer->sdp, offer->tracks.value_or(std::vector<room::TrackInfo>{})}});
  }
  // Without a media backend, answers, candidates and track_settings are validated (done) and
  // dropped: there is no track to apply settings to.
  if (media_ == nullptr) return;
  if (const auto* answer = std::get_if<AnswerMessage>(&message)) {
    media_->submit({m.room, m.participant, room::request::Answer{answer->sdp}});
  } else if (const auto* candidate = std::get_if<CandidateMessage>(&message)) {
    media_->submit({m.room, m.participant, room::request::Candidate{candidate->candidate}});
  } else if (const auto* settings = std::get_if<TrackSettingsMessage>(&message)) {
    // The media stack answers an unknown track id with error 400 (MediaRoom).
    media_->submit({m.room, m.participant, room::request::TrackSettings{settings->update}});
  }
}

void Hub::leave_room(ClientSession& session) {
  if (!session.membership) return;
  auto m = std::move(*session.membership);
  session.membership.reset();
  members_.erase({m.room, m.participant});
  registry_.leave(m.room, m.participant,
                  std::chrono::time_point_cast<time::Duration>(time::Clock::now()));
  broadcast(m.room, m.participant, "participant_left", participant_left_json(m.participant));
  logger().debug("{} left room {}", m.participant, m.room);
  if (media_ != nullptr) media_->submit({m.room, m.participant, room::request::Leave{}});
  if (auto it = tracks_.find({m.room, m.participant}); it != tracks_.end()) {
    auto gone = std::move(it->second);
    tracks_.erase(it);
    for (auto& track : gone) {
      emit(RoomEventKind::track_unpublished, m.room, m.participant, {}, std::move(track));
    }
  }
  emit(RoomEventKind::participant_left, m.room, m.participant);
  if (registry_.find(m.room) == nullptr) emit(RoomEventKind::room_finished, m.room);
  schedule_expiry();
}

void Hub::broadcast(const std::string& room_id, const std::string& except, std::string_view type,
                    const std::string& text) {
  const room::Room* room = registry_.find(room_id);
  if (room == nullptr) return;
  auto shared = std::make_shared<const std::string>(text);
  // Collect first: a send can drop a session, and the drop must not change the list we walk.
  std::vector<ClientSession*> targets;
  for (const auto& p : room->participants()) {
    if (p.id == except) continue;
    auto it = members_.find({room_id, p.id});
    if (it != members_.end()) targets.push_back(it->second);
  }
  for (ClientSession* target : targets) send(*target, type, shared);
}

void Hub::send(ClientSession& session, std::string_view type,
               std::shared_ptr<const std::string> text) {
  metrics_.message_out(type, text->size());
  session.send(std::move(text));
}

void Hub::send_error(ClientSession& session, ErrorCode code, std::string_view message,
                     bool counts) {
  metrics_.error_sent(static_cast<int>(code));
  send(session, "error", std::make_shared<const std::string>(error_json(code, message)));
  if (counts && session.count_protocol_error(std::chrono::steady_clock::now())) {
    metrics_.connection_closed("protocol_errors");
    log_limited("closed_protocol_errors",
                "closing session {} from {}: more than {} error replies within {} s "
                "(max_protocol_errors)",
                session.id(), session.address(), options_.max_protocol_errors,
                options_.protocol_error_window.count());
    session.close(websocket::close_code::policy_error);
  }
}

void Hub::close_with_error(ClientSession& session, ErrorCode code, std::string_view message,
                           std::string_view reason, websocket::close_code close_code) {
  send_error(session, code, message, false);
  metrics_.connection_closed(reason);
  std::string kind = "closed_" + std::string(reason);
  log_limited(kind, "closing session {} from {}: {}", session.id(), session.address(), message);
  session.close(close_code);
}

void Hub::log_line(const std::string& text, std::uint64_t suppressed) {
  if (suppressed == 0) {
    logger().warn("{}", text);
  } else {
    logger().warn("{} ({} more like it not logged)", text, suppressed);
  }
}

void Hub::schedule_expiry() {
  if (stopping_) return;
  auto next = registry_.next_expiry();
  if (!next) return;
  expiry_timer_.expires_at(*next);
  expiry_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopping_) return;
    for (const auto& id :
         self->registry_.expire(std::chrono::time_point_cast<time::Duration>(time::Clock::now()))) {
      logger().debug("room {} removed after its grace period", id);
      self->emit(RoomEventKind::room_finished, id);
    }
    self->schedule_expiry();
  });
}

void Hub::stop() {
  if (stopping_) return;
  stopping_ = true;
  expiry_timer_.cancel();
  if (cluster_) cluster_stop();
  // Copy: closing can untrack sessions while we walk.
  auto http = http_sessions_;
  auto ws = ws_sessions_;
  for (auto& [id, weak] : http) {
    if (auto s = weak.lock()) s->shut_down();
  }
  for (auto& [id, weak] : ws) {
    if (auto s = weak.lock()) s->close(websocket::close_code::going_away);
  }
  if (http_sessions_.empty() && ws_sessions_.empty()) return;
  stop_deadline_.expires_after(kStopDeadline);
  stop_deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->finish_stop();
  });
}

void Hub::finish_stop() {
  auto http = http_sessions_;
  auto ws = ws_sessions_;
  for (auto& [id, weak] : http) {
    if (auto s = weak.lock()) s->shut_down();
  }
  for (auto& [id, weak] : ws) {
    if (auto s = weak.lock()) s->drop("server stopping");
  }
}

Gauges Hub::gauges() const {
  Gauges g;
  g.rooms = registry_.room_count();
  g.participants = registry_.participant_count();
  g.sessions = session_count_;
  g.connections = connection_count_;
  g.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  g.version = options_.version;
  return g;
}

std::string Hub::healthz_json() const {
  Gauges g = gauges();
  boost::json::object health{{"status", stopping_ ? "stopping" : "ok"},
                             {"version", g.version},
                             {"uptime", std::floor(g.uptime_seconds * 1000) / 1000},
                             {"rooms", g.rooms},
                             {"participants", g.participants},
                             {"sessions", g.sessions}};
  if (cluster_) cluster_healthz(health);
  return boost::json::serialize(health);
}

std::string Hub::metrics_text() const {
  std::string text = metrics_.render(gauges());
  if (cluster_) text += cluster_metrics();
  if (extra_metrics_) text += extra_metrics_();
  return text;
}

}  // namespace rrtc::signaling
