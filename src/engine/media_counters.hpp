#pragma once
// Per-worker media counters for /metrics, over the Router's (room/forward_counters.hpp), with the
// same single-writer rule.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "engine/bandwidth_counters.hpp"
#include "room/forward_counters.hpp"

namespace rrtc::engine {

using room::ForwardCounters;
using room::LatencyHistogram;
using room::SingleWriterCounter;

// The media kind an RTP packet belongs to, from its payload type and the negotiated m-lines.
enum class RtpKind : std::uint8_t { audio, video, unknown };
inline constexpr std::size_t kRtpKinds = 3;
const char* to_string(RtpKind kind) noexcept;

struct WorkerCounters {
  SingleWriterCounter peers_created;
  SingleWriterCounter peers_connected;
  SingleWriterCounter peers_failed;  // ICE or DTLS failure, or the client closed
  SingleWriterCounter peers_active;  // gauge: add on create, "sub" through peers_released
  SingleWriterCounter peers_released;
  SingleWriterCounter offers_rejected;     // unparsable or unusable SDP
  SingleWriterCounter server_offers;       // renegotiations the server started
  // Issue 16: what clients' answers to server offers listed beyond the offer, ignored.
  SingleWriterCounter answer_ignored_extensions;
  SingleWriterCounter answer_ignored_payload_types;
  SingleWriterCounter datagrams_received;  // everything ICE delivered
  SingleWriterCounter bytes_received;
  SingleWriterCounter rtp_packets[kRtpKinds];  // received and decrypted
  SingleWriterCounter rtp_bytes[kRtpKinds];
  SingleWriterCounter rtcp_packets;  // received and decrypted
  SingleWriterCounter decrypt_failures;
  SingleWriterCounter replays;
  SingleWriterCounter packets_sent;  // SRTP + SRTCP handed to ICE
  SingleWriterCounter send_failures;
  SingleWriterCounter data_channels_opened;    // both ways: opened by a client or by the server
  SingleWriterCounter data_messages_received;  // data channel messages from clients
  SingleWriterCounter data_messages_relayed;   // copies delivered to other participants' channels
  SingleWriterCounter data_messages_dropped;   // copies refused: too large, buffer full, unframable
  SingleWriterCounter data_packets_unsent;     // SCTP packets DTLS could not send
  // Issue 15 (engine): connect deadlines that passed, relay messages over a participant's data
  // policing (messages and their bytes), requests refused because a worker's queue was full.
  SingleWriterCounter connect_timeouts;
  SingleWriterCounter data_messages_policed;
  SingleWriterCounter data_bytes_policed;
  SingleWriterCounter requests_refused;
  ForwardCounters forward;
  BandwidthCounters bwe;  // issue 17: rrtc_bwe_* (engine/bandwidth_counters.hpp)
};

// Appends the Prometheus text exposition (# HELP, # TYPE, samples) of the sum over `workers`.
void append_metrics(std::span<const WorkerCounters* const> workers, std::string& out);

}  // namespace rrtc::engine
