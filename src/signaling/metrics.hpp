#pragma once
// Signaling counters and their Prometheus text exposition (format 0.0.4). Owned by the
// signaling thread; not thread-safe. Label values come from fixed sets (message types we know,
// error codes we send), so the series count is bounded whatever clients send.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace rrtc::signaling {

struct Gauges {
  std::size_t rooms = 0;
  std::size_t participants = 0;
  std::size_t sessions = 0;
  std::size_t connections = 0;
  double uptime_seconds = 0;
  std::string version;
};

class Metrics {
 public:
  Metrics();

  // `type` is the parsed message type; anything outside the protocol is counted as "invalid".
  void message_in(std::string_view type, std::size_t bytes);
  void message_out(std::string_view type, std::size_t bytes);
  void error_sent(int code);
  void session_dropped(std::string_view reason);  // "queue_overflow", "ping_timeout"
  void http_request() { ++http_requests_; }
  // Hardening counters; reasons outside the fixed sets below are not counted.
  void connection_refused(std::string_view reason) { bump(refused_, reason); }
  void connection_closed(std::string_view reason) { bump(closed_, reason); }
  void join_refused(std::string_view reason) { bump(joins_refused_, reason); }
  void forwarded_header_invalid() { ++forwarded_invalid_; }
  // One admin API answer (docs/admin-api.md), by HTTP status; statuses outside the API's set
  // are not counted.
  void admin_request(unsigned status) { bump(admin_, std::to_string(status)); }
  std::uint64_t admin_requests(unsigned status) const {
    auto it = admin_.find(std::to_string(status));
    return it == admin_.end() ? 0 : it->second;
  }

  std::uint64_t messages_in(std::string_view type) const;
  std::uint64_t messages_out(std::string_view type) const;
  std::uint64_t errors(int code) const;

  std::string render(const Gauges& gauges) const;

 private:
  using Counters = std::map<std::string, std::uint64_t, std::less<>>;
  static void bump(Counters& counters, std::string_view reason) {
    auto it = counters.find(reason);
    if (it != counters.end()) ++it->second;
  }

  // Connections answered HTTP 429 (per_ip: max_connections_per_ip) or 503 (server_full:
  // max_connections) and closed before any request was read or upgrade done.
  Counters refused_{{"per_ip", 0}, {"server_full", 0}};
  // Connections the server closed: no join in time, a message (or HTTP request) not completed
  // in time, too many error replies, a message over max_message_bytes, an HTTP connection idle
  // past message_timeout, a text frame that is not UTF-8 (RFC 6455 section 8.1: failed, 1007).
  Counters closed_{{"join_timeout", 0}, {"message_timeout", 0}, {"protocol_errors", 0},
                   {"too_large", 0},    {"idle_timeout", 0},    {"invalid_utf8", 0}};
  Counters joins_refused_{{"server_full", 0}};  // max_participants
  Counters admin_{{"200", 0}, {"400", 0}, {"401", 0}, {"404", 0}, {"405", 0},
                  {"409", 0}, {"413", 0}, {"415", 0}, {"504", 0}};
  std::uint64_t forwarded_invalid_ = 0;         // trusted proxy sent an unusable forwarding header
  std::map<std::string, std::uint64_t, std::less<>> in_;
  std::map<std::string, std::uint64_t, std::less<>> out_;
  std::map<int, std::uint64_t> errors_;
  std::map<std::string, std::uint64_t, std::less<>> dropped_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  std::uint64_t http_requests_ = 0;
};

}  // namespace rrtc::signaling
