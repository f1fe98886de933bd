#pragma once
// The signaling logic behind every WebSocket session: join/leave, state fan-out, media
// dispatch, errors and counters. One instance per Server, shared by its sessions.
//
// Threading: everything here runs on the signaling io_context's single thread, so nothing is
// locked. The only entry from other threads is the SignalingChannel given to the media backend,
// which posts onto this thread and holds the Hub only weakly.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "room/media_backend.hpp"
#include "room/room_registry.hpp"
#include "signaling/messages.hpp"
#include "signaling/metrics.hpp"
#include "signaling/server_options.hpp"
#include "signaling/static_files.hpp"

namespace rrtc::signaling {

class WebSocketSession;
class HttpSession;
class Hub;

// One open TCP connection, counted against its client address for max_connections_per_ip.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<Hub> hub, std::string address, bool over_limit);
  ConnectionSlot(ConnectionSlot&&) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot();

  bool over_limit() const { return over_limit_; }
  const std::string& address() const { return address_; }

 private:
  std::shared_ptr<Hub> hub_;
  std::string address_;
  bool over_limit_;
};

class Hub : public std::enable_shared_from_this<Hub> {
 public:
  Hub(boost::asio::io_context& ioc, ServerOptions options, room::MediaBackend* media);

  // Gives the media backend its channel; call once, after construction.
  void attach_media();

  // ---- connections and sessions ----
  ConnectionSlot open_connection(const std::string& address);
  void close_connection(const std::string& address);
  void track(std::uint64_t id, std::weak_ptr<HttpSession> session);
  void track(std::uint64_t id, std::weak_ptr<WebSocketSession> session);
  void untrack(std::uint64_t id);
  std::uint64_t next_id() { return ++last_id_; }
  void session_opened(WebSocketSession& session);
  // The session's socket is gone (leave, close, drop): leaves its room. Called once per session.
  void session_closed(WebSocketSession& session);

  // ---- messages ----
  void on_text(WebSocketSession& session, std::string_view text);
  void send(WebSocketSession& session, std::string_view type,
            std::shared_ptr<const std::string> text);
  void send_error(WebSocketSession& session, ErrorCode code, std::string_view message);

  // ---- media backend -> participant (signaling thread; see SignalingChannel) ----
  void media_send(const std::string& room, const std::string& participant, std::string_view type,
                  std::string text);
  // Error 400 for an SDP the media stack could not use; the participant stays.
  void media_reject(const std::string& room, const std::string& participant,
                    std::string_view message);
  void media_remove(const std::string& room, const std::string& participant,
                    std::string_view reason);

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

  void handle_join(WebSocketSession& session, JoinMessage join);
  bool check_token(WebSocketSession& session, const JoinMessage& join, std::string& participant);
  void handle_state(WebSocketSession& session, const room::StateChange& change);
  void handle_media(WebSocketSession& session, const ClientMessage& message);
  void leave_room(WebSocketSession& session);
  void broadcast(const std::string& room, const std::string& except, std::string_view type,
                 const std::string& text);
  void schedule_expiry();
  void finish_stop();

  boost::asio::io_context& ioc_;
  ServerOptions options_;
  room::MediaBackend* media_;
  room::RoomRegistry registry_;
  Metrics metrics_;
  StaticFiles static_files_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::map<Key, WebSocketSession*> members_;  // joined sessions; erased before they die
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
};

}  // namespace rrtc::signaling
