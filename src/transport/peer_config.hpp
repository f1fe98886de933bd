#pragma once
// What signaling gives a Peer to start (the remote side's ICE credentials and DTLS identity, our
// DTLS role), what its methods answer, and its counters.

#include <chrono>
#include <cstdint>

#include "dtls/endpoint.hpp"
#include "ice/ice_transport.hpp"

namespace rrtc::transport {

struct PeerConfig {
  // The remote a=ice-ufrag / a=ice-pwd.
  ice::IceCredentials remote_credentials;
  // Role (Passive for the server, which answers a=setup:passive; Active for test clients and the
  // load generator), the remote a=fingerprint values, SRTP profiles in preference order, and the
  // handshake and retransmission timers.
  dtls::EndpointConfig dtls;
  // Measured from start(): a Peer not Connected by then fails once with "connect timeout: ..."
  // (ICE never connected, no ClientHello arrived, or the handshake never finished), so a client
  // that stops half-way cannot hold a Peer in Connecting forever. 30 s: about what browsers
  // give ICE before calling it failed, and three times the DTLS handshake deadline (which only
  // starts with the first DTLS datagram); on loopback, and through coturn, Peers connect in well
  // under a second. start() refuses zero or less (BadConnectTimeout).
  std::chrono::milliseconds connect_timeout{30'000};
};

enum class StartResult {
  Started,
  AlreadyStarted,     // start() runs once per Peer
  Closed,             // the Peer is closed or failed
  BadIceCredentials,  // ufrag 4-256 / pwd 22-256 ice-chars (RFC 8839 section 5.4)
  NoFingerprints,     // the remote offered no a=fingerprint: it could never be authenticated
  NoSrtpProfiles,     // the profile list is empty
  DtlsSetupFailed,    // OpenSSL could not create the session
  BadConnectTimeout,  // connect_timeout is zero or negative
};

const char* to_string(StartResult result) noexcept;

enum class SendResult {
  Sent,
  NotConnected,   // before Connected, or after Failed / Closed: nothing was sent
  Malformed,      // length beyond the buffer, or not an RTP (send_rtp) / RTCP (send_rtcp) packet
  ProtectFailed,  // libsrtp2 refused the packet (malformed, or no room for the tag)
  IceRefused,     // ICE had no selected pair or the socket refused it (dropped, as UDP would)
};

const char* to_string(SendResult result) noexcept;

// Per-peer counters for metrics; plain values, read on the worker thread.
struct PeerCounters {
  std::uint64_t datagrams_in = 0;  // everything ICE delivered
  std::uint64_t bytes_in = 0;
  std::uint64_t datagrams_out = 0;  // everything ICE accepted: DTLS, SRTP, SRTCP
  std::uint64_t bytes_out = 0;
  std::uint64_t dtls_in = 0;         // DTLS datagrams given to the endpoint
  std::uint64_t rtp_decrypted = 0;   // delivered to on_rtp
  std::uint64_t rtcp_decrypted = 0;  // delivered to on_rtcp
  std::uint64_t rtp_sent = 0;
  std::uint64_t rtcp_sent = 0;
  std::uint64_t decrypt_failures = 0;       // SRTP/SRTCP authentication or format failures
  std::uint64_t replays = 0;                // SRTP/SRTCP index already seen
  std::uint64_t dropped_not_connected = 0;  // RTP/RTCP/DTLS arriving when it cannot be used
  std::uint64_t dropped_unknown = 0;        // first byte outside the RFC 7983 ranges we use
  std::uint64_t send_failures = 0;          // SendResult ProtectFailed or IceRefused
  // Data channels (SCTP over DTLS).
  std::uint64_t data_packets_in = 0;       // DTLS application data given to the association
  std::uint64_t data_packets_out = 0;      // SCTP packets sent as DTLS application data
  std::uint64_t data_packets_unsent = 0;   // SCTP packets DTLS could not take (not connected)
  std::uint64_t data_packets_dropped = 0;  // DTLS application data without data channels
  std::uint64_t data_messages_in = 0;      // delivered to on_data_message
  std::uint64_t data_messages_out = 0;     // accepted by send_data
};

}  // namespace rrtc::transport
