#include "room/media_counters.hpp"

#include <cstddef>

namespace rrtc::room {

const char* to_string(RtpKind kind) noexcept {
  switch (kind) {
    case RtpKind::audio:
      return "audio";
    case RtpKind::video:
      return "video";
    case RtpKind::unknown:
      break;
  }
  return "unknown";
}

namespace {

using Field = const SingleWriterCounter WorkerCounters::*;

std::uint64_t sum(std::span<const WorkerCounters* const> workers, Field field) {
  std::uint64_t total = 0;
  for (const auto* w : workers) total += (w->*field).get();
  return total;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, const std::string& labels, std::uint64_t value) {
  out += name;
  out += labels;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

void counter(std::string& out, std::span<const WorkerCounters* const> workers, const char* name,
             Field field, const char* help) {
  header(out, name, "counter", help);
  sample(out, name, "", sum(workers, field));
}

// One sample per RtpKind from an array member.
void per_kind(std::string& out, std::span<const WorkerCounters* const> workers, const char* name,
              const SingleWriterCounter (WorkerCounters::*field)[kRtpKinds], const char* help) {
  header(out, name, "counter", help);
  for (std::size_t k = 0; k < kRtpKinds; ++k) {
    std::uint64_t total = 0;
    for (const auto* w : workers) total += (w->*field)[k].get();
    sample(out, name, std::string("{kind=\"") + to_string(static_cast<RtpKind>(k)) + "\"}", total);
  }
}

}  // namespace

void append_metrics(std::span<const WorkerCounters* const> workers, std::string& out) {
  counter(out, workers, "rrtc_media_peers_created_total", &WorkerCounters::peers_created,
          "PeerConnections created (first offer of a participant).");
  counter(out, workers, "rrtc_media_peers_connected_total", &WorkerCounters::peers_connected,
          "PeerConnections that completed ICE and DTLS.");
  counter(out, workers, "rrtc_media_peers_failed_total", &WorkerCounters::peers_failed,
          "PeerConnections that failed (ICE, DTLS) or were closed by the client.");
  header(out, "rrtc_media_peers", "gauge", "PeerConnections alive.");
  sample(
      out, "rrtc_media_peers", "",
      sum(workers, &WorkerCounters::peers_active) - sum(workers, &WorkerCounters::peers_released));
  counter(out, workers, "rrtc_media_offers_rejected_total", &WorkerCounters::offers_rejected,
          "Client offers rejected as unparsable or unusable SDP.");
  counter(out, workers, "rrtc_media_datagrams_received_total", &WorkerCounters::datagrams_received,
          "Datagrams delivered by ICE (DTLS, SRTP, SRTCP).");
  counter(out, workers, "rrtc_media_bytes_received_total", &WorkerCounters::bytes_received,
          "Bytes of the datagrams delivered by ICE.");
  per_kind(out, workers, "rrtc_media_rtp_packets_received_total", &WorkerCounters::rtp_packets,
           "RTP packets received and decrypted.");
  per_kind(out, workers, "rrtc_media_rtp_bytes_received_total", &WorkerCounters::rtp_bytes,
           "Bytes of the RTP packets received and decrypted (after SRTP).");
  counter(out, workers, "rrtc_media_rtcp_packets_received_total", &WorkerCounters::rtcp_packets,
          "RTCP compound packets received and decrypted.");
  counter(out, workers, "rrtc_media_srtp_decrypt_failures_total", &WorkerCounters::decrypt_failures,
          "SRTP/SRTCP packets that failed authentication or were malformed.");
  counter(out, workers, "rrtc_media_srtp_replays_total", &WorkerCounters::replays,
          "SRTP/SRTCP packets dropped as replays.");
  counter(out, workers, "rrtc_media_packets_sent_total", &WorkerCounters::packets_sent,
          "SRTP and SRTCP packets sent.");
  counter(out, workers, "rrtc_media_send_failures_total", &WorkerCounters::send_failures,
          "Packets that could not be protected or sent.");
}

}  // namespace rrtc::room
