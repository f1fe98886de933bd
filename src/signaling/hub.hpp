#pragma once
// The signaling logic behind every WebSocket session: join/leave, state fan-out, media
// dispatch, errors and counters. One instance per Server, shared by its sessions.
//
// Threading: everything here runs on the signaling io_context's single thread, so nothing is
// locked. The only entry from other threads is the SignalingChannel given to the media backend,
// which posts onto this thread and holds the Hub only weakly.

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cluster/envelope.hpp"
#include "cluster/node_directory.hpp"
#include "cluster/room_placement.hpp"
#include "room/media_backend.hpp"
#include "room/room_registry.hpp"
#include "signaling/admin_json.hpp"
#include "signaling/client_address.hpp"
#include "signaling/client_session.hpp"
#include "signaling/log_limit.hpp"
#include "signaling/messages.hpp"
#include "signaling/metrics.hpp"
#include "signaling/relay_roster.hpp"
#include "signaling/room_events.hpp"
#include "signaling/server_options.hpp"
#include "signaling/static_files.hpp"

namespace boost::json {
class object;
}  // namespace boost::json

namespace rrtc::signaling {

class WebSocketSession;
class RelayedSession;
class ClusterNode;
class HttpSession;
class Hub;

// One admitted TCP connection: counted in max_connections, and against its client address in
// max_connections_per_ip. A connection from a trusted proxy is counted per address only once a
// request names its client (rebind); until then it counts in max_connections alone.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<Hub> hub, const IpAddress& peer, bool via_proxy);
  ConnectionSlot(ConnectionSlot&&) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot();

  // The client address: the TCP peer, or the client a trusted proxy named (for logs).
  const std::string& address() const { return address_; }
  const IpAddress& peer() const { return peer_; }
  bool via_proxy() const { return via_proxy_; }
  // Counts the connection against `client` instead of what it counted before. False, and
  // counted against no address, when `client` already has max_connections_per_ip.
  bool rebind(const IpAddress& client);

 private:
  std::shared_ptr<Hub> hub_;
  IpAddress peer_;
  std::string address_;
  bool via_proxy_;
  bool counted_ = false;  // holds one of connections_per_address_[address_]
};

// Why a connection is refused before any request is read.
enum class Refusal {
  per_ip,       // max_connections_per_ip: HTTP 429
  server_full,  // max_connections: HTTP 503
};

class Hub : public std::enable_shared_from_this<Hub> {
 public:
  Hub(boost::asio::io_context& ioc, ServerOptions options, room::MediaBackend* media);
  ~Hub();  // out of line: ClusterNode and RelayedSession are incomplete here

  // Gives the media backend its channel; call once, after construction.
  void attach_media();

  // ---- connections and sessions ----
  // Admits a new TCP connection from `peer`, or says why it is refused (counted and logged).
  std::optional<ConnectionSlot> admit(const IpAddress& peer, Refusal& refusal);
  // max_connections_per_ip for one client address: takes a place, false when none is left.
  bool count_address(const std::string& address);
  void release_address(const std::string& address);
  void release_connection() { --connection_count_; }
  const TrustedProxies& trusted_proxies() const { return trusted_proxies_; }
  void track(std::uint64_t id, std::weak_ptr<HttpSession> session);
  void track(std::uint64_t id, std::weak_ptr<WebSocketSession> session);
  void untrack(std::uint64_t id);
  std::uint64_t next_id() { return ++last_id_; }
  void session_opened(WebSocketSession& session);
  // The session's socket is gone (leave, close, drop): leaves its room. Called once per session.
  void session_closed(WebSocketSession& session);

  // ---- messages ----
  void on_text(ClientSession& session, std::string_view text);
  void send(ClientSession& session, std::string_view type,
            std::shared_ptr<const std::string> text);
  // Sends `error`. Unless `counts` is false, the reply counts against max_protocol_errors, and
  // the one past the limit closes the connection after it.
  void send_error(ClientSession& session, ErrorCode code, std::string_view message,
                  bool counts = true);
  // Sends `error` (not counted), then closes with `close_code`; counts the close under
  // `reason` (Metrics::connection_closed) and logs one line per reason per interval.
  void close_with_error(ClientSession& session, ErrorCode code, std::string_view message,
                        std::string_view reason,
                        boost::beast::websocket::close_code close_code =
                            boost::beast::websocket::close_code::policy_error);

  // One log line per `kind` per kLogInterval; the next line says how many were left out.
  template <class... Args>
  void log_limited(std::string_view kind, fmt::format_string<Args...> format, Args&&... args) {
    std::uint64_t suppressed = 0;
    if (!log_limit_.allow(kind, LogLimit::Clock::now(), suppressed)) return;
    log_line(fmt::format(format, std::forward<Args>(args)...), suppressed);
  }

  // ---- media backend -> participant (signaling thread; see SignalingChannel) ----
  void media_send(const std::string& room, const std::string& participant, std::string_view type,
                  std::string text);
  // Error 400 for an SDP the media stack could not use (503: a request refused, its worker's
  // queue full); the participant stays.
  void media_reject(const std::string& room, const std::string& participant,
                    std::string_view message, ErrorCode code = ErrorCode::bad_request);
  // Error 500 (408: the connect deadline passed; 503: a join refused, its worker's queue full),
  // then the participant leaves and its connection closes.
  void media_remove(const std::string& room, const std::string& participant,
                    std::string_view reason, ErrorCode code = ErrorCode::internal);
  // The whole list of tracks `participant` publishes now (SignalingChannel::tracks_changed):
  // kept for the admin API, differences emitted as track events.
  void media_tracks(const std::string& room, const std::string& participant,
                    std::vector<room::PublishedTrackInfo> tracks);
  // `active_speakers` to everyone in `room`.
  void media_speakers(const std::string& room, const std::vector<room::SpeakerLevel>& speakers);
  // The tracks a participant publishes, as last reported (empty when none or unknown).
  const std::vector<room::PublishedTrackInfo>& published_tracks(
      const std::string& room, const std::string& participant) const;

  // ---- admin API (defined in admin_hub.cpp; docs/admin-api.md) ----
  enum class AdminOutcome { done, no_room, no_participant, no_track };
  std::vector<AdminRoomSummary> admin_rooms() const;
  // The room, its participants, their state and reported tracks; nullopt for an unknown room.
  std::optional<AdminRoomDetail> admin_room(const std::string& room) const;
  // Asks the media stack for `room`'s counters and calls `done` with them on this thread (at
  // once with none without a media backend). Not called if the Hub is gone by then.
  void admin_room_stats(const std::string& room,
                        std::function<void(std::vector<room::ParticipantStats>)> done);
  // `error` 403 "removed by the server", the others get participant_left, close 1008.
  AdminOutcome admin_remove(const std::string& room, const std::string& participant);
  // Turns the target track off in the participant's state (forwarding stops) and sends the
  // state_update to everyone in the room, the participant included; `state` is the new state.
  AdminOutcome admin_mute(const std::string& room, const std::string& participant,
                          const MuteTarget& target, room::ParticipantState& state);
  // Every participant gets `error` 403 "room closed by the server" and close 1008; the room is
  // removed. How many participants were disconnected, or nullopt for an unknown room.
  std::optional<std::size_t> admin_close_room(const std::string& room);
  boost::asio::io_context& io_context() { return ioc_; }

  // ---- room events (webhooks) ----
  // Receives every RoomEvent, synchronously on this thread; set before start.
  void set_event_sink(RoomEventSink sink) { event_sink_ = std::move(sink); }

  // ---- cluster mode (hub_cluster.cpp, docs/cluster.md) ----
  bool cluster_mode() const { return cluster_ != nullptr; }
  // Connects to Redis and joins the cluster when redis_url is set (Server::start).
  void start_cluster();
  // SIGTERM in cluster mode: this node takes no new rooms; `done` runs once its rooms have
  // ended, or after drain_timeout (then the caller stops as without a cluster).
  void drain(std::function<void()> done);
  bool draining() const { return draining_; }
  // RelayedSession: a reply to the client on its node; the session ended (close `code`).
  void relay_reply(RelayedSession& session, std::string_view text);
  void relay_ended(RelayedSession& session, int code);

  // ---- shutdown ----
  void stop();
  bool stopping() const { return stopping_; }

  // ---- reading ----
  const ServerOptions& options() const { return options_; }
  Metrics& metrics() { return metrics_; }
  const StaticFiles& static_files() const { return static_files_; }
  std::size_t rooms() const { return registry_.room_count(); }
  std::size_t participants() const { return registry_.participant_count(); }
  std::size_t sessions() const { return session_count_; }
  Gauges gauges() const;
  std::string healthz_json() const;
  // Extra Prometheus text appended to /metrics (the media stack's counters).
  void set_extra_metrics(std::function<std::string()> source) {
    extra_metrics_ = std::move(source);
  }
  std::string metrics_text() const;

 private:
  using Key = std::pair<std::string, std::string>;  // room, participant

  void handle_join(ClientSession& session, JoinMessage join);
  bool check_token(ClientSession& session, const JoinMessage& join, std::string& participant);
  void handle_state(ClientSession& session, const room::StateChange& change);
  void handle_media(ClientSession& session, const ClientMessage& message);
  void leave_room(ClientSession& session);
  // Sends `error` (not counted), leaves the room at once (the others get participant_left
  // before the caller goes on) and closes with `close_code`.
  void remove_member(ClientSession& session, ErrorCode code, std::string_view message,
                     boost::beast::websocket::close_code close_code);
  void broadcast(const std::string& room, const std::string& except, std::string_view type,
                 const std::string& text);
  void schedule_expiry();
  void emit(RoomEventKind kind, const std::string& room, const std::string& participant = {},
            std::string name = {}, std::optional<room::PublishedTrackInfo> track = std::nullopt);
  void finish_stop();
  // Cluster mode (hub_cluster.cpp).
  bool cluster_intercept(ClientSession& session, std::string_view text);
  bool cluster_join(ClientSession& session, JoinMessage& join, std::string_view text);
  void placed(std::uint64_t session_id, JoinMessage join, std::string text,
              cluster::PlacementResult result);
  void cluster_session_closed(ClientSession& session);
  void cluster_room_finished(const std::string& room);
  void cluster_stop();
  void on_envelope(const cluster::Envelope& envelope);
  void on_node_list(const std::vector<cluster::NodeInfo>& nodes);
  void fail_client_relay(std::uint64_t session_id, const std::string& message);
  void end_room_relay(const std::string& origin, const std::string& number);
  void finish_drain();
  void reassert_rooms();
  void cluster_healthz(boost::json::object& health) const;
  std::string cluster_metrics() const;
  void log_line(const std::string& text, std::uint64_t suppressed);

  boost::asio::io_context& ioc_;
  ServerOptions options_;
  room::MediaBackend* media_;
  room::RoomRegistry registry_;
  Metrics metrics_;
  StaticFiles static_files_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::map<Key, ClientSession*> members_;  // joined sessions; erased before they die
  TrustedProxies trusted_proxies_;
  LogLimit log_limit_;
  std::map<std::string, std::size_t> connections_per_address_;
  std::size_t connection_count_ = 0;
  std::size_t session_count_ = 0;
  std::map<std::uint64_t, std::weak_ptr<HttpSession>> http_sessions_;
  std::map<std::uint64_t, std::weak_ptr<WebSocketSession>> ws_sessions_;
  std::uint64_t last_id_ = 0;

  boost::asio::steady_timer expiry_timer_;
  boost::asio::steady_timer stop_deadline_;
  bool stopping_ = false;
  std::function<std::string()> extra_metrics_;
  RoomEventSink event_sink_;
  std::map<Key, std::vector<room::PublishedTrackInfo>> tracks_;  // as the media stack reported
  std::map<std::string, std::chrono::system_clock::time_point> room_created_;  // admin API
  // The last non-empty `active_speakers` of each room, for newcomers (the media stack sends
  // only changes).
  std::map<std::string, std::shared_ptr<const std::string>> speakers_;

  // Cluster mode: null without redis_url.
  struct ClientRelay {  // a client of this node whose room lives on `node`
    ClientSession* session;
    std::string node;
    std::string room;
    RelayRoster roster;
  };
  struct PendingJoin {  // a join waiting for its placement; messages behind it wait too
    ClientSession* session;
    std::vector<std::string> queued;
  };
  std::unique_ptr<ClusterNode> cluster_;
  std::map<std::uint64_t, PendingJoin> pending_joins_;  // by session id
  std::map<std::uint64_t, ClientRelay> client_relays_;  // by session id
  // Clients of other nodes in rooms of this one, by (their node, their session number).
  std::map<std::pair<std::string, std::string>, std::shared_ptr<RelayedSession>> room_relays_;
  NodeLiveness liveness_;
  bool draining_ = false;
  bool reassert_placements_ = false;  // after a (re)connection, at the first listing with us
  std::function<void()> drain_done_;
  boost::asio::steady_timer drain_timer_;
};

}  // namespace rrtc::signaling
