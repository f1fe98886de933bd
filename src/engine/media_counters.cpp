#include "engine/media_counters.hpp"

#include <cstddef>

#include "transport/data_channel.hpp"
#include "transport/peer.hpp"

namespace rrtc::engine {

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

using ForwardField = const SingleWriterCounter ForwardCounters::*;

void forward_counter(std::string& out, std::span<const WorkerCounters* const> workers,
                     const char* name, ForwardField field, const char* help) {
  header(out, name, "counter", help);
  std::uint64_t total = 0;
  for (const auto* w : workers) total += (w->forward.*field).get();
  sample(out, name, "", total);
}

std::string seconds(std::uint64_t nanoseconds) {
  std::string text = std::to_string(nanoseconds / 1'000'000'000) + '.';
  std::string fraction = std::to_string(nanoseconds % 1'000'000'000);
  text.append(9 - fraction.size(), '0');
  text += fraction;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

void hop_latency(std::string& out, std::span<const WorkerCounters* const> workers) {
  const char* name = "rrtc_forward_hop_latency_seconds";
  header(out, name, "histogram",
         "Time from an RTP packet's arrival (decrypted) to each forwarded copy's departure.");
  std::uint64_t cumulative = 0;
  std::uint64_t sum_ns = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    for (const auto* w : workers) cumulative += w->forward.hop_latency.bucket(i);
    const std::string le =
        i < std::size(LatencyHistogram::kBounds) ? seconds(LatencyHistogram::kBounds[i]) : "+Inf";
    sample(out, "rrtc_forward_hop_latency_seconds_bucket", "{le=\"" + le + "\"}", cumulative);
  }
  for (const auto* w : workers) sum_ns += w->forward.hop_latency.sum_ns();
  out += "rrtc_forward_hop_latency_seconds_sum " + seconds(sum_ns) + '\n';
  sample(out, "rrtc_forward_hop_latency_seconds_count", "", cumulative);
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
  counter(out, workers, "rrtc_media_server_offers_total", &WorkerCounters::server_offers,
          "Offers the server sent (other participants' tracks added or removed).");
  {
    const char* name = "rrtc_media_answer_ignored_total";
    header(out, name, "counter",
           "Header extensions and payload types clients' answers listed that the server's offer "
           "had not, ignored.");
    sample(out, name, "{what=\"header_extension\"}",
           sum(workers, &WorkerCounters::answer_ignored_extensions));
    sample(out, name, "{what=\"payload_type\"}",
           sum(workers, &WorkerCounters::answer_ignored_payload_types));
  }
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
  counter(out, workers, "rrtc_data_channels_opened_total", &WorkerCounters::data_channels_opened,
          "Data channels opened, by clients or by the server towards them.");
  counter(out, workers, "rrtc_data_messages_received_total",
          &WorkerCounters::data_messages_received, "Data channel messages received from clients.");
  counter(out, workers, "rrtc_data_messages_relayed_total", &WorkerCounters::data_messages_relayed,
          "Data channel message copies sent to other participants.");
  counter(out, workers, "rrtc_data_messages_dropped_total", &WorkerCounters::data_messages_dropped,
          "Data channel message copies not sent (too large for the receiver, its buffer full).");
  counter(out, workers, "rrtc_data_packets_unsent_total", &WorkerCounters::data_packets_unsent,
          "SCTP packets that could not be sent over DTLS.");
  counter(out, workers, "rrtc_media_connect_timeouts_total", &WorkerCounters::connect_timeouts,
          "Participants removed because their PeerConnection did not connect in time.");
  counter(out, workers, "rrtc_data_messages_policed_total",
          &WorkerCounters::data_messages_policed,
          "Data channel messages not relayed: over the sender's messages or bytes per second.");
  counter(out, workers, "rrtc_data_bytes_policed_total", &WorkerCounters::data_bytes_policed,
          "Bytes of the data channel messages not relayed by policing.");
  counter(out, workers, "rrtc_media_requests_refused_total", &WorkerCounters::requests_refused,
          "Signaling requests refused (error 503): the media worker's queue was full.");
  // Consent freshness (RFC 7675), process-wide from the ICE transports (transport/peer.hpp).
  const transport::ConsentCounters consent = transport::consent_counters();
  header(out, "rrtc_ice_consent_rearmed_total", "counter",
         "Consent checks unanswered for 10 s (libnice) and re-armed: the peer stays until 30 s.");
  sample(out, "rrtc_ice_consent_rearmed_total", "", consent.rearmed);
  header(out, "rrtc_ice_consent_expired_total", "counter",
         "Connected peers removed: no consent answer and no datagram for 30 s (RFC 7675).");
  sample(out, "rrtc_ice_consent_expired_total", "", consent.expired);
  header(out, "rrtc_ice_consent_revoked_total", "counter",
         "Connected peers removed: consent revoked by the peer (STUN 403).");
  sample(out, "rrtc_ice_consent_revoked_total", "", consent.revoked);
  // SCTP packets dropped before or by usrsctp, process-wide (transport/data_channel.hpp).
  const transport::SctpDropCounters sctp_drops = transport::sctp_drop_counters();
  header(out, "rrtc_sctp_packets_dropped_total", "counter",
         "SCTP packets from clients dropped: malformed (before usrsctp), bad CRC32c, wrong "
         "verification tag, or out of the blue (no association, forged COOKIE-ECHO included).");
  sample(out, "rrtc_sctp_packets_dropped_total", "{reason=\"malformed\"}", sctp_drops.malformed);
  sample(out, "rrtc_sctp_packets_dropped_total", "{reason=\"checksum\"}", sctp_drops.checksum);
  sample(out, "rrtc_sctp_packets_dropped_total", "{reason=\"verification_tag\"}",
         sctp_drops.verification_tag);
  sample(out, "rrtc_sctp_packets_dropped_total", "{reason=\"out_of_the_blue\"}",
         sctp_drops.out_of_the_blue);
  using F = ForwardCounters;
  forward_counter(out, workers, "rrtc_forward_packets_total", &F::forwarded_packets,
                  "RTP packets forwarded to subscribers.");
  forward_counter(out, workers, "rrtc_forward_bytes_total", &F::forwarded_bytes,
                  "Bytes of the RTP packets forwarded to subscribers (before SRTP).");
  forward_counter(out, workers, "rrtc_forward_filtered_packets_total", &F::filtered_packets,
                  "Received RTP packets not forwarded: muted, camera off or screen stopped.");
  forward_counter(out, workers, "rrtc_forward_waiting_keyframe_total", &F::waiting_keyframe,
                  "Copies held back while a subscriber waits for a key frame.");
  forward_counter(out, workers, "rrtc_forward_unroutable_packets_total", &F::unroutable_packets,
                  "RTP packets with an unknown SSRC or payload type, or invalid.");
  forward_counter(out, workers, "rrtc_forward_duplicate_packets_total", &F::duplicate_packets,
                  "RTP packets received twice (a publisher's RTX padding, a duplicating "
                  "network): forwarded once.");
  forward_counter(out, workers, "rrtc_forward_retransmitted_packets_total",
                  &F::retransmitted_packets, "Packets resent to answer subscribers' NACKs.");
  forward_counter(out, workers, "rrtc_forward_retransmit_misses_total", &F::retransmit_misses,
                  "NACKed packets no longer in the retransmit buffer.");
  forward_counter(out, workers, "rrtc_forward_nacks_received_total", &F::nacks_received,
                  "NACK messages received from subscribers.");
  forward_counter(out, workers, "rrtc_forward_nacks_sent_total", &F::nacks_sent,
                  "NACK messages sent to publishers for lost packets.");
  forward_counter(out, workers, "rrtc_forward_packets_recovered_total", &F::packets_recovered,
                  "Packets NACKed upstream that arrived afterwards.");
  forward_counter(out, workers, "rrtc_forward_keyframe_requests_total", &F::keyframe_requests,
                  "PLI or FIR messages sent to publishers.");
  forward_counter(out, workers, "rrtc_forward_sender_reports_total", &F::sender_reports_sent,
                  "Sender reports sent to subscribers.");
  forward_counter(out, workers, "rrtc_forward_receiver_reports_total", &F::receiver_reports_sent,
                  "Receiver reports sent to publishers.");
  forward_counter(out, workers, "rrtc_forward_remb_total", &F::remb_sent,
                  "REMB messages sent to publishers.");
  forward_counter(out, workers, "rrtc_forward_remb_outliers_total", &F::remb_outliers,
                  "Subscriber estimates left out of a publisher's REMB as far below the median.");
  forward_counter(out, workers, "rrtc_forward_retransmit_refused_duplicate_total",
                  &F::retransmit_refused_duplicate,
                  "NACKed packets not resent: already resent to that subscriber within its RTT.");
  forward_counter(out, workers, "rrtc_forward_retransmit_refused_budget_total",
                  &F::retransmit_refused_budget,
                  "NACKed packets not resent: over the subscriber's retransmit budget.");
  forward_counter(out, workers, "rrtc_forward_retransmit_refused_layer_total",
                  &F::retransmit_refused_layer,
                  "NACKed packets not resent: of a layer left for bandwidth.");
  forward_counter(out, workers, "rrtc_forward_policed_packets_total", &F::policed_packets,
                  "RTP packets dropped by ingress policing (a track's packet rate or bitrate).");
  forward_counter(out, workers, "rrtc_forward_policed_bytes_total", &F::policed_bytes,
                  "Bytes of the RTP packets dropped by ingress policing.");
  forward_counter(out, workers, "rrtc_forward_malformed_rtcp_total", &F::malformed_rtcp,
                  "RTCP compounds with a malformed packet (the rest of the compound ignored).");
  hop_latency(out, workers);
  append_bandwidth_metrics(workers, out);
}

}  // namespace rrtc::engine
