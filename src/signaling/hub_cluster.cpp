// Cluster mode (docs/cluster.md): placing a room on its first join, relaying a client's
// signaling to the room's node and the answers back, failover when a node leaves the
// directory, draining, and the cluster's part of /healthz and /metrics.
//
// A client of this node whose room lives elsewhere: its join is sent to the room's node as an
// `open` envelope (verbatim), every later message as a `message`, its socket's end as a
// `close`; what the room's node sends back goes to the socket verbatim. The room's node runs
// the Hub's usual room logic on a RelayedSession, so its media answers and ICE candidates are
// its own and media flows straight between the client and it.
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <charconv>

#include "log/log.hpp"
#include "signaling/cluster_node.hpp"
#include "signaling/hub.hpp"
#include "signaling/relayed_session.hpp"

namespace rrtc::signaling {

namespace websocket = boost::beast::websocket;
using cluster::EnvelopeKind;

namespace {

spdlog::logger& logger() {
  static spdlog::logger& l = rrtc::log::get("cluster");
  return l;
}

// Messages a client may send while its join waits for Redis (offer and candidates right
// behind the join); more is refused: a client does not need them before `joined`.
constexpr std::size_t kMaxQueuedBeforePlacement = 64;

std::string close_payload(int code) { return "{\"code\":" + std::to_string(code) + "}"; }

websocket::close_code close_code_of(std::string_view payload) {
  boost::system::error_code ec;
  auto v = boost::json::parse(payload, ec);
  if (!ec && v.is_object()) {
    if (const auto* code = v.get_object().if_contains("code"); code && code->is_int64()) {
      return static_cast<websocket::close_code>(code->get_int64());
    }
  }
  return websocket::close_code::normal;
}

std::optional<std::uint64_t> session_number(std::string_view digits) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

}  // namespace

void Hub::start_cluster() {
  if (options_.cluster.redis_url.empty() || cluster_) return;
  cluster_ = std::make_unique<ClusterNode>(ioc_, options_.cluster);
  auto weak = weak_from_this();
  cluster_->start(
      [weak](const cluster::Envelope& envelope) {
        if (auto self = weak.lock()) self->on_envelope(envelope);
      },
      [weak](const std::vector<cluster::NodeInfo>& nodes) {
        if (auto self = weak.lock()) self->on_node_list(nodes);
      },
      [weak](bool ready) {
        auto self = weak.lock();
        if (!self) return;
        if (ready) {
          self->liveness_.connected(std::chrono::steady_clock::now());
          self->reassert_placements_ = true;
          // Before any join's placement (one connection: commands run in order).
          self->cluster_->heartbeat_now();
          logger().info("redis connected");
        } else {
          logger().warn("redis connection lost: {}; rooms here go on, joins that need Redis "
                        "get 503",
                        self->cluster_->last_error());
        }
      });
}

bool Hub::cluster_intercept(ClientSession& session, std::string_view text) {
  if (auto it = pending_joins_.find(session.id()); it != pending_joins_.end()) {
    if (it->second.queued.size() >= kMaxQueuedBeforePlacement) {
      send_error(session, ErrorCode::too_many_requests, "too many messages before 'joined'");
      return true;
    }
    it->second.queued.emplace_back(text);
    return true;
  }
  auto it = client_relays_.find(session.id());
  if (it == client_relays_.end()) return false;
  ++cluster_->counters().messages_in;  // counted as relayed; the room's node counts the type
  cluster_->send(EnvelopeKind::message, it->second.node, "c" + std::to_string(session.id()), text);
  return true;
}

bool Hub::cluster_join(ClientSession& session, JoinMessage& join, std::string_view text) {
  // A relayed join is for a room placed here; a room running here needs no Redis (so it keeps
  // taking joins while Redis is down).
  if (session.relayed() || registry_.find(join.room) != nullptr) return false;
  std::string id = join.participant.value_or("");
  if (!check_token(session, join, id)) return true;
  pending_joins_[session.id()] = PendingJoin{&session, {}};
  std::string room = join.room;
  cluster_->placement().place(
      room, cluster_->candidates(),
      [weak = weak_from_this(), sid = session.id(), join = std::move(join),
       text = std::string(text)](cluster::PlacementResult result) mutable {
        if (auto self = weak.lock()) {
          self->placed(sid, std::move(join), std::move(text), std::move(result));
        }
      });
  return true;
}

void Hub::placed(std::uint64_t session_id, JoinMessage join, std::string text,
                 cluster::PlacementResult result) {
  auto pending_it = pending_joins_.find(session_id);
  if (pending_it == pending_joins_.end()) return;  // the client left meanwhile
  PendingJoin pending = std::move(pending_it->second);
  pending_joins_.erase(pending_it);
  ClientSession& session = *pending.session;
  auto& counters = cluster_->counters();
  if (const auto* failure = std::get_if<cluster::RedisReply>(&result)) {
    ++counters.joins_refused;
    metrics_.join_refused("cluster");
    const bool no_node = failure->error == cluster::RedisErrc::server &&
                         failure->message.rfind("NONODE", 0) == 0;
    std::string message =
        no_node ? "cluster unavailable: no node can take room '" + join.room + "' now; retry later"
                : "cluster unavailable: " + failure->message + "; retry later";
    log_limited("cluster_join_refused", "refusing a join to room {} from {}: {}", join.room,
                session.address(), message);
    return send_error(session, ErrorCode::service_unavailable, message, false);
  }
  const auto& placement = std::get<cluster::Placement>(result);
  if (placement.node_id == cluster_->id()) {
    ++counters.joins_local;
    handle_join(session, std::move(join));
    for (const auto& queued : pending.queued) on_text(session, queued);
    return;
  }
  ++counters.joins_relayed;
  logger().debug("session {} from {}: room {} is on node {}, relaying", session_id,
                 session.address(), join.room, placement.node_id);
  client_relays_[session_id] = ClientRelay{&session, placement.node_id, join.room, {}};
  session.joined();
  const std::string bus_id = "c" + std::to_string(session_id);
  cluster_->send(EnvelopeKind::open, placement.node_id, bus_id, text,
                 [weak = weak_from_this(), session_id, node = placement.node_id](bool ok,
                                                                               bool delivered) {
                   auto self = weak.lock();
                   if (!self || delivered) return;
                   self->fail_client_relay(
                       session_id, ok ? "rejoin: node " + node + " did not answer; join again"
                                      : "cluster unavailable: the room's node " + node +
                                            " cannot be reached now; join again");
                 });
  for (const auto& queued : pending.queued) {
    cluster_->send(EnvelopeKind::message, placement.node_id, bus_id, queued);
  }
}

void Hub::fail_client_relay(std::uint64_t session_id, const std::string& message) {
  auto it = client_relays_.find(session_id);
  if (it == client_relays_.end()) return;
  ClientRelay relay = std::move(it->second);
  client_relays_.erase(it);
  ++cluster_->counters().relay_failures;
  // The others were on the room's node: to this client they have all left.
  for (const auto& other : relay.roster.others()) {
    send(*relay.session, "participant_left",
         std::make_shared<const std::string>(participant_left_json(other)));
  }
  send_error(*relay.session, ErrorCode::service_unavailable, message, false);
  metrics_.connection_closed("cluster_node_gone");
  log_limited("cluster_relay_failed", "session {} from {} (room {} on node {}): {}", session_id,
              relay.session->address(), relay.room, relay.node, message);
  relay.session->close(websocket::close_code::try_again_later);
}

void Hub::cluster_session_closed(ClientSession& session) {
  pending_joins_.erase(session.id());
  auto it = client_relays_.find(session.id());
  if (it == client_relays_.end()) return;
  cluster_->send(EnvelopeKind::close, it->second.node, "c" + std::to_string(session.id()),
                 close_payload(static_cast<int>(websocket::close_code::normal)));
  client_relays_.erase(it);
}

void Hub::relay_reply(RelayedSession& session, std::string_view text) {
  cluster_->send(EnvelopeKind::message, session.origin(), "r" + session.number(), text);
}

void Hub::relay_ended(RelayedSession& session, int code) {
  cluster_->send(EnvelopeKind::close, session.origin(), "r" + session.number(),
                 close_payload(code));
  // Later, not under the caller (which may still use the session): leave and forget it.
  boost::asio::post(ioc_, [weak = weak_from_this(), origin = session.origin(),
                           number = session.number()] {
    if (auto self = weak.lock()) self->end_room_relay(origin, number);
  });
}

void Hub::end_room_relay(const std::string& origin, const std::string& number) {
  auto it = room_relays_.find({origin, number});
  if (it == room_relays_.end()) return;
  std::shared_ptr<RelayedSession> session = it->second;
  room_relays_.erase(it);
  session->mark_ended();
  leave_room(*session);
}

void Hub::on_envelope(const cluster::Envelope& envelope) {
  auto& counters = cluster_->counters();
  ++counters.messages_in;
  if (envelope.session.size() < 2) return ++counters.unknown_session, void();
  const char side = envelope.session.front();
  const std::string number(envelope.session.substr(1));
  const std::string origin(envelope.from);
  if (side == 'c') {  // from a client of `origin`, for a room here
    auto it = room_relays_.find({origin, number});
    if (envelope.kind == EnvelopeKind::open && it == room_relays_.end()) {
      auto session = std::make_shared<RelayedSession>(
          weak_from_this(), origin, number, next_id(),
          ErrorWindow(options_.max_protocol_errors, options_.protocol_error_window));
      it = room_relays_.emplace(std::pair{origin, number}, std::move(session)).first;
    }
    if (it == room_relays_.end()) {
      if (envelope.kind == EnvelopeKind::close) return;
      ++counters.unknown_session;
      // This node forgot the session (it restarted): the client must join again.
      cluster_->send(EnvelopeKind::message, origin, "r" + number,
                     error_json(ErrorCode::service_unavailable,
                                "rejoin: node " + cluster_->id() +
                                    " no longer knows this session; join again"));
      cluster_->send(EnvelopeKind::close, origin, "r" + number,
                     close_payload(static_cast<int>(websocket::close_code::try_again_later)));
      return;
    }
    std::shared_ptr<RelayedSession> session = it->second;
    if (envelope.kind == EnvelopeKind::close) {
      session->mark_ended();  // the client's node knows: tell it nothing back
      return end_room_relay(origin, number);
    }
    if (!session->ended()) on_text(*session, envelope.payload);
    return;
  }
  if (side != 'r') return ++counters.unknown_session, void();
  // A reply for a client of this node.
  auto id = session_number(number);
  auto it = id ? client_relays_.find(*id) : client_relays_.end();
  if (it == client_relays_.end() || it->second.node != origin) {
    ++counters.unknown_session;
    return;
  }
  ClientSession& session = *it->second.session;
  if (envelope.kind == EnvelopeKind::close) {
    const auto code = close_code_of(envelope.payload);
    if (code == websocket::close_code::going_away) {  // the room's node is shutting down
      return fail_client_relay(*id, "rejoin: room '" + it->second.room + "' was on node " +
                                        origin + ", which is shutting down; join again");
    }
    client_relays_.erase(it);
    return session.close(code);
  }
  std::string type = it->second.roster.observe(envelope.payload);
  send(session, type, std::make_shared<const std::string>(envelope.payload));
}

void Hub::on_node_list(const std::vector<cluster::NodeInfo>& nodes) {
  cluster_->set_load(registry_.participant_count(), registry_.room_count());
  std::vector<std::string> ids;
  ids.reserve(nodes.size());
  for (const auto& node : nodes) ids.push_back(node.id);
  if (reassert_placements_ && std::find(ids.begin(), ids.end(), cluster_->id()) != ids.end()) {
    reassert_placements_ = false;
    reassert_rooms();
  }
  for (const auto& gone : liveness_.update(ids, std::chrono::steady_clock::now())) {
    ++cluster_->counters().nodes_gone;
    logger().warn("node {} left the cluster", gone);
    // Its rooms are free again (also done by the next join of each, atomically).
    cluster_->placement().release_node(gone, [gone](cluster::RedisReply reply, std::int64_t n) {
      if (reply.ok() && n > 0) logger().info("released {} rooms of node {}", n, gone);
    });
    std::vector<std::uint64_t> failed;
    for (const auto& [sid, relay] : client_relays_) {
      if (relay.node == gone) failed.push_back(sid);
    }
    for (auto sid : failed) {
      fail_client_relay(sid, "rejoin: room '" + client_relays_.at(sid).room + "' was on node " +
                                 gone + ", which left the cluster; join again");
    }
    std::vector<std::string> orphans;
    for (const auto& [key, session] : room_relays_) {
      if (key.first == gone) orphans.push_back(key.second);
    }
    for (const auto& number : orphans) {
      room_relays_.at({gone, number})->mark_ended();
      end_room_relay(gone, number);
    }
  }
}

void Hub::reassert_rooms() {
  // After a reconnection (a Redis restarted empty, or a failover to a replica that missed the
  // last writes) the rooms running here may have lost their placement: place each here again,
  // so joins through other nodes find them instead of starting a second room elsewhere.
  for (const auto& summary : admin_rooms()) {
    const std::string room = summary.name;
    cluster_->placement().place(
        room, {cluster_->id()},
        [room, self_id = cluster_->id()](cluster::PlacementResult result) {
          if (const auto* p = std::get_if<cluster::Placement>(&result)) {
            if (p->node_id != self_id) {
              logger().warn("room {} runs here but is placed on node {}", room, p->node_id);
            }
          } else {
            logger().warn("placing running room {} again: {}", room,
                          std::get<cluster::RedisReply>(result).message);
          }
        });
  }
}

void Hub::cluster_room_finished(const std::string& room) {
  if (stopping_) return;  // released by cluster_stop()
  cluster_->placement().release(room, [room](cluster::RedisReply reply, bool released) {
    if (!reply.ok()) logger().warn("releasing room {}: {}", room, reply.message);
    (void)released;
  });
  if (draining_ && registry_.room_count() == 0) finish_drain();
}

void Hub::drain(std::function<void()> done) {
  if (!cluster_ || draining_) return done();
  draining_ = true;
  drain_done_ = std::move(done);
  cluster_->set_draining(true);
  logger().info("draining: no new rooms here; {} rooms may run up to {} s", registry_.room_count(),
                options_.cluster.drain_timeout.count());
  if (registry_.room_count() == 0) {
    return boost::asio::post(ioc_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->finish_drain();
    });
  }
  drain_timer_.expires_after(options_.cluster.drain_timeout);
  drain_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    logger().warn("drain timeout: {} rooms still running", self->registry_.room_count());
    self->finish_drain();
  });
}

void Hub::finish_drain() {
  drain_timer_.cancel();
  if (auto done = std::move(drain_done_)) {
    drain_done_ = nullptr;
    done();
  }
}

void Hub::cluster_stop() {
  drain_timer_.cancel();
  for (const auto& [sid, relay] : client_relays_) {
    cluster_->send(EnvelopeKind::close, relay.node, "c" + std::to_string(sid),
                   close_payload(static_cast<int>(websocket::close_code::going_away)));
  }
  client_relays_.clear();
  pending_joins_.clear();
  auto relays = room_relays_;
  for (auto& [key, session] : relays) session->close(websocket::close_code::going_away);
  // The rooms here end with this node: free their placements now rather than when the others
  // see this node leave the directory.
  for (const auto& summary : admin_rooms()) {
    cluster_->placement().release(summary.name, [](cluster::RedisReply, bool) {});
  }
  cluster_->stop();
}

}  // namespace rrtc::signaling
