#pragma once
// What a Peer reports to its owner (the Participant): state changes, decrypted media, local ICE
// candidates and DTLS application data (SCTP, later).
//
// Threading: every callback runs on the worker thread that owns the Peer.
//
// Re-entrancy: callbacks come only from the worker's loop, through two doors: the Peer's
// IceTransport events (datagrams, ICE state, candidates) and Peer::handle_timeout(), which the
// PeerTimer calls when it fires. No other Peer method (start, add_remote_candidate, send_rtp,
// send_rtcp, send_application_data, close) ever calls the listener, so a listener may call any of
// them from inside a callback. A listener must not destroy the Peer from a callback: close() it
// and free it later in the loop iteration.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace rrtc::transport {

enum class PeerState {
  New,         // created, start() not called or ICE not yet checking
  Connecting,  // ICE checking or connected, DTLS handshake not finished
  Connected,   // DTLS done, SRTP keyed: media flows both ways
  Failed,      // ICE failed (consent lost included), DTLS failed or SRTP could not be keyed
  Closed,      // close() was called, or the peer sent close_notify
};

const char* to_string(PeerState state) noexcept;

class PeerListener {
 public:
  // Connecting, Connected, then Failed or Closed once (terminal). `reason` says why for Failed
  // and Closed ("DTLS failed: fingerprint mismatch: ...", "ICE failed ..."), empty otherwise. A
  // close() we were asked for is not reported: the caller knows.
  virtual void on_state(PeerState state, std::string_view reason) = 0;
  // One decrypted RTP / RTCP packet (tag removed), in the receive buffer: mutable so the
  // forwarder can rewrite it in place, valid only during the call. Hot path: must not throw.
  virtual void on_rtp(std::span<std::uint8_t> packet) noexcept = 0;
  virtual void on_rtcp(std::span<std::uint8_t> packet) noexcept = 0;
  // Trickle: "candidate:..." without "a=", then end of gathering. Forwarded from ICE.
  virtual void on_local_candidate(std::string candidate) = 0;
  virtual void on_gathering_done() = 0;
  // One DTLS application data record (an SCTP packet, RFC 8261); valid only during the call.
  virtual void on_application_data(std::span<const std::uint8_t> data) = 0;

 protected:
  ~PeerListener() = default;
};

}  // namespace rrtc::transport
