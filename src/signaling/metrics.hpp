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

  std::uint64_t messages_in(std::string_view type) const;
  std::uint64_t messages_out(std::string_view type) const;
  std::uint64_t errors(int code) const;

  std::string render(const Gauges& gauges) const;

 private:
  std::map<std::string, std::uint64_t, std::less<>> in_;
  std::map<std::string, std::uint64_t, std::less<>> out_;
  std::map<int, std::uint64_t> errors_;
  std::map<std::string, std::uint64_t, std::less<>> dropped_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  std::uint64_t http_requests_ = 0;
};

}  // namespace rrtc::signaling
