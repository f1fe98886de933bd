#pragma once
// What a Peer reports to its owner (the Participant): state changes, decrypted media, local ICE
// candidates, and its data channels (when enable_data_channels() was called).
//
// Threading: every callback runs on the worker thread that owns the Peer.
//
// Re-entrancy: callbacks come only from the worker's loop, through two doors: the Peer's
// IceTransport events (datagrams, ICE state, candidates) and Peer::handle_timeout(), which the
// PeerTimer calls when it fires. No other Peer method (start, add_remote_candidate, send_rtp,
// send_rtcp, enable_data_channels, open_data_channel, send_data, close_data_channel, close) ever
// calls the listener, so a listener may call any of them from inside a callback, on this Peer
// or another. A listener must not destroy the Peer from a callback: close() it and free it later
// in the loop iteration.
//
// Data channels: the SCTP association comes up after the Peer is Connected, so on_data_state(Up)
// follows on_state(Connected). Channel and message callbacks come from a DTLS datagram (an SCTP
// packet) or from handle_timeout() (SCTP timers, or output of another worker's association that
// the process-wide SCTP stack queued for this one). Data channels end with the Peer: after
// on_state(Failed / Closed), or close(), no data callback follows and none reports the end.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transport/data_channel.hpp"

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
  // Data channels (only after Peer::enable_data_channels(); the defaults ignore them).
  // The association is Up (channels can be opened), or it ended: Closed (the remote shut it
  // down) or Failed (could not be established, aborted, retransmission limit), with a reason.
  // Up comes at most once, then at most one of Closed / Failed.
  virtual void on_data_state(DataState /*state*/, std::string_view /*reason*/) {}
  // The remote opened a channel (DATA_CHANNEL_OPEN, RFC 8832); it is acknowledged and ready for
  // send_data(). Channels this side opens are not reported: they are open from
  // open_data_channel()'s return.
  virtual void on_data_channel_open(std::uint16_t /*id*/, std::string_view /*label*/,
                                    std::string_view /*protocol*/,
                                    const DataChannelParameters& /*parameters*/) {}
  // One whole message on an open channel (either side opened it): text (UTF-8, RFC 8831 section
  // 6.6) or binary; `data` is valid only during the call.
  virtual void on_data_message(std::uint16_t /*id*/, std::string_view /*label*/,
                               std::span<const std::uint8_t> /*data*/, bool /*binary*/) {}
  // The channel is closed both ways (stream reset, RFC 8831 section 6.7; or the association
  // ended, before on_data_state), whoever started it; its id may be reused afterwards.
  virtual void on_data_channel_closed(std::uint16_t /*id*/, std::string_view /*label*/) {}

 protected:
  ~PeerListener() = default;
};

}  // namespace rrtc::transport
