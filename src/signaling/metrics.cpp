#include "signaling/metrics.hpp"

#include <fmt/format.h>

namespace rrtc::signaling {

namespace {

constexpr std::string_view kClientTypes[] = {"join",
                                             "offer",
                                             "answer",
                                             "candidate",
                                             "state_update",
                                             "start_screen_share",
                                             "stop_screen_share",
                                             "leave",
                                             "track_settings",
                                             "invalid"};
constexpr std::string_view kServerTypes[] = {
    "joined",           "answer",       "offer", "candidate",       "participant_joined",
    "participant_left", "state_update", "error", "active_speakers", "stream_state",
    "publish_layers"};
constexpr int kErrorCodes[] = {400, 401, 403, 408, 409, 413, 429, 500, 503};

template <class Map>
std::uint64_t lookup(const Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? 0 : it->second;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Metrics::Metrics() {
  // Every series exists from the start, so dashboards and rate() see zeros rather than gaps.
  for (auto t : kClientTypes) in_.emplace(t, 0);
  for (auto t : kServerTypes) out_.emplace(t, 0);
  for (int c : kErrorCodes) errors_.emplace(c, 0);
  dropped_.emplace("queue_overflow", 0);
  dropped_.emplace("ping_timeout", 0);
}

void Metrics::message_in(std::string_view type, std::size_t bytes) {
  auto it = in_.find(type);
  if (it == in_.end()) it = in_.find(std::string_view("invalid"));
  ++it->second;
  bytes_in_ += bytes;
}

void Metrics::message_out(std::string_view type, std::size_t bytes) {
  auto it = out_.find(type);
  if (it != out_.end()) ++it->second;
  bytes_out_ += bytes;
}

void Metrics::error_sent(int code) { ++errors_[code]; }

void Metrics::session_dropped(std::string_view reason) {
  auto it = dropped_.find(reason);
  if (it != dropped_.end()) ++it->second;
}

std::uint64_t Metrics::messages_in(std::string_view type) const { return lookup(in_, type); }
std::uint64_t Metrics::messages_out(std::string_view type) const { return lookup(out_, type); }
std::uint64_t Metrics::errors(int code) const {
  auto it = errors_.find(code);
  return it == errors_.end() ? 0 : it->second;
}

std::string Metrics::render(const Gauges& g) const {
  std::string out;
  auto it = std::back_inserter(out);
  header(out, "rrtc_build_info", "gauge", "Build information.");
  fmt::format_to(it, "rrtc_build_info{{version=\"{}\"}} 1\n", escape_label(g.version));
  header(out, "rrtc_uptime_seconds", "gauge", "Seconds since the server started.");
  fmt::format_to(it, "rrtc_uptime_seconds {:.3f}\n", g.uptime_seconds);
  header(out, "rrtc_rooms", "gauge",
         "Rooms that exist, including empty ones in their grace period.");
  fmt::format_to(it, "rrtc_rooms {}\n", g.rooms);
  header(out, "rrtc_participants", "gauge", "Participants joined to a room.");
  fmt::format_to(it, "rrtc_participants {}\n", g.participants);
  header(out, "rrtc_signaling_sessions", "gauge", "Open WebSocket sessions.");
  fmt::format_to(it, "rrtc_signaling_sessions {}\n", g.sessions);
  header(out, "rrtc_signaling_connections", "gauge", "Open TCP connections (HTTP and WebSocket).");
  fmt::format_to(it, "rrtc_signaling_connections {}\n", g.connections);
  header(out, "rrtc_signaling_messages_received_total", "counter",
         "Client messages received, by type.");
  for (const auto& [type, n] : in_) {
    fmt::format_to(it, "rrtc_signaling_messages_received_total{{type=\"{}\"}} {}\n", type, n);
  }
  header(out, "rrtc_signaling_messages_sent_total", "counter", "Server messages sent, by type.");
  for (const auto& [type, n] : out_) {
    fmt::format_to(it, "rrtc_signaling_messages_sent_total{{type=\"{}\"}} {}\n", type, n);
  }
  header(out, "rrtc_signaling_errors_total", "counter", "error messages sent, by code.");
  for (const auto& [code, n] : errors_) {
    fmt::format_to(it, "rrtc_signaling_errors_total{{code=\"{}\"}} {}\n", code, n);
  }
  header(out, "rrtc_signaling_sessions_dropped_total", "counter",
         "Sessions dropped without a close handshake, by reason.");
  for (const auto& [reason, n] : dropped_) {
    fmt::format_to(it, "rrtc_signaling_sessions_dropped_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  header(out, "rrtc_signaling_connections_refused_total", "counter",
         "Connections refused at once with HTTP 429 (per_ip) or 503 (server_full), by reason.");
  for (const auto& [reason, n] : refused_) {
    fmt::format_to(it, "rrtc_signaling_connections_refused_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  header(out, "rrtc_signaling_connections_closed_total", "counter",
         "Connections closed by the server for a limit or deadline, by reason.");
  for (const auto& [reason, n] : closed_) {
    fmt::format_to(it, "rrtc_signaling_connections_closed_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  header(out, "rrtc_signaling_joins_refused_total", "counter",
         "Joins refused with error 503 because a server-wide cap was reached, by reason.");
  for (const auto& [reason, n] : joins_refused_) {
    fmt::format_to(it, "rrtc_signaling_joins_refused_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  header(out, "rrtc_signaling_forwarded_invalid_total", "counter",
         "Requests from a trusted proxy whose Forwarded/X-Forwarded-For named no usable client.");
  fmt::format_to(it, "rrtc_signaling_forwarded_invalid_total {}\n", forwarded_invalid_);
  header(out, "rrtc_signaling_received_bytes_total", "counter",
         "WebSocket message bytes received.");
  fmt::format_to(it, "rrtc_signaling_received_bytes_total {}\n", bytes_in_);
  header(out, "rrtc_signaling_sent_bytes_total", "counter", "WebSocket message bytes sent.");
  fmt::format_to(it, "rrtc_signaling_sent_bytes_total {}\n", bytes_out_);
  header(out, "rrtc_admin_requests_total", "counter", "Admin API requests answered, by status.");
  for (const auto& [status, n] : admin_) {
    fmt::format_to(it, "rrtc_admin_requests_total{{status=\"{}\"}} {}\n", status, n);
  }
  header(out, "rrtc_http_requests_total", "counter", "Plain HTTP requests served.");
  fmt::format_to(it, "rrtc_http_requests_total {}\n", http_requests_);
  return out;
}

}  // namespace rrtc::signaling
