#pragma once
// One participant's whole transport: ICE (an IceTransport) + DTLS (a sans-IO dtls::Endpoint) +
// SRTP (one inbound and one outbound srtp::SrtpSession keyed from the DTLS exporter) + the SCTP
// association of its data channels (RFC 8831, over DTLS as RFC 8261 says), demultiplexed by first
// byte as RFC 7983 says.
//
//   ICE datagram -> 20..63   DTLS -> endpoint -> Transmit: ICE send / Connected: key SRTP, start
//                                                SCTP / Failed, Closed: state /
//                                                ApplicationData: SCTP -> data channel callbacks
//                -> 128..191 RTP  -> srtp_unprotect in place  -> on_rtp
//                            RTCP -> srtp_unprotect_rtcp      -> on_rtcp
//                -> anything else, or media before Connected: dropped and counted
//
// Lifecycle: construct (ICE starts gathering: on_local_candidate / on_gathering_done flow), then
// start(PeerConfig) with what the remote SDP said (and enable_data_channels() when it has an
// application m-line), then add_remote_candidate() as candidates trickle in. ICE connects; the
// Active side sends the ClientHello; on DTLS Connected the Peer keys SRTP and reports Connected.
// ICE failure (consent loss included), a DTLS failure (fingerprint mismatch, handshake timeout,
// fatal alert), an SRTP keying failure, or not being Connected within PeerConfig::connect_timeout
// of start() ("connect timeout: ...") is reported once as Failed with a reason, and ICE is closed.
// A close_notify from the peer is reported as Closed. close() aborts the SCTP association, sends
// close_notify and closes ICE.
//
// Data channels: the association starts (both sides send INIT, RFC 8831 section 6.2) when DTLS
// connects; its timers are deadlines inside next_timeout() / handle_timeout(), so the owner runs
// no periodic tick. Channels are named by their SCTP stream id; the Peer keeps each open channel's
// label (data_channel_id(label)), so an owner may work with labels alone.
//
// Time: the Peer never reads a clock; see PeerTimer. Threading and re-entrancy: see PeerListener.
// Hot path: on_datagram (RTP/RTCP) and send_rtp / send_rtcp allocate nothing, lock nothing and
// log nothing.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dtls/certificate.hpp"
#include "dtls/endpoint.hpp"
#include "ice/ice_transport.hpp"
#include "srtp/session.hpp"
#include "time/media_time.hpp"
#include "transport/data_channel.hpp"
#include "transport/peer_config.hpp"
#include "transport/peer_listener.hpp"
#include "transport/peer_timer.hpp"

namespace rrtc::transport {

// Bytes send_rtp() / send_rtcp() append in place: the buffer handed to them must have this much
// room after the packet (AEAD-AES-128-GCM tag 16; HMAC-SHA1-80 tag 10; SRTCP adds its 4-byte
// E-flag + index word).
inline constexpr std::size_t kRtpSendOverhead = srtp::kMaxSrtpOverhead;
inline constexpr std::size_t kRtcpSendOverhead = srtp::kMaxSrtcpOverhead;

namespace detail {
class DataChannels;
}  // namespace detail

// What consent freshness (RFC 7675) did to the ICE transports of this process, for /metrics:
// libnice consent windows that ended unanswered and were re-armed, and connected transports
// that failed because consent expired (30 s without an answer or datagram) or was revoked (403).
struct ConsentCounters {
  std::uint64_t rearmed = 0;
  std::uint64_t expired = 0;
  std::uint64_t revoked = 0;
};
ConsentCounters consent_counters() noexcept;

class Peer final : private ice::IceTransportListener {
 public:
  // Takes the transport (it becomes its listener) and shares the process certificate. `timer`
  // and `listener` must outlive the Peer.
  Peer(std::unique_ptr<ice::IceTransport> ice, std::shared_ptr<const dtls::Certificate> certificate,
       PeerTimer& timer, PeerListener& listener);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // What our SDP says: a=ice-ufrag / a=ice-pwd and a=fingerprint.
  ice::IceCredentials local_credentials() const { return ice_->local_credentials(); }
  const dtls::Fingerprint& local_fingerprint() const noexcept {
    return certificate_->fingerprint();
  }

  // The remote side's transport parameters; once. A passive Peer waits for the ClientHello, an
  // active one sends it as soon as ICE connects.
  StartResult start(const PeerConfig& config);
  // Trickle (RFC 8838): "candidate:..." with or without "a=", or "" for end-of-candidates.
  ice::CandidateResult add_remote_candidate(std::string_view candidate);

  // Protects the RTP packet held in buffer[0, length) in place and sends it. `buffer` must have
  // kRtpSendOverhead bytes of room after the packet. The buffer content is unspecified after the
  // call. No allocation.
  SendResult send_rtp(std::span<std::uint8_t> buffer, std::size_t length);
  // Likewise for one (compound) RTCP packet; room: kRtcpSendOverhead.
  SendResult send_rtcp(std::span<std::uint8_t> buffer, std::size_t length);

  // Sending RTP from another thread (engine/egress_offload.hpp, issue 18). Once Connected: a
  // second Outbound SRTP session from the same keying material, for a thread that protects this
  // Peer's RTP itself and sends it on direct_route(). Whoever uses it must send all of this
  // Peer's RTP through it from then on (send_rtp() keeps protecting RTCP's and the fallback's
  // with the Peer's own session): two sessions of one key must not protect the same SSRC's
  // packets alternately, or their rollover counters may disagree after a wrap.
  boost::system::result<srtp::SrtpSession> make_outbound_rtp_session() const;
  // The transport's plain UDP route while Connected (ice::IceTransport::direct_route()).
  std::optional<ice::IceTransport::DirectRoute> direct_route() const noexcept {
    if (state_ != PeerState::Connected) return std::nullopt;
    return ice_->direct_route();
  }

  // Data channels over an SCTP association of this Peer's, configured from the negotiated
  // application m-line (data_channel_config_from()). Once, after start() (the DTLS role picks
  // the stream ids); the association starts when DTLS connects, or here if it already has.
  EnableDataResult enable_data_channels(const DataChannelConfig& config);
  bool data_channels_enabled() const noexcept { return data_ != nullptr; }
  // The association is up: channels can be opened and messages sent.
  bool data_channels_up() const noexcept;
  // Opens a channel (DATA_CHANNEL_OPEN, RFC 8832) on a stream of our parity; usable at once
  // (messages before the remote's ACK go ordered, as RFC 8832 section 6 requires).
  OpenDataResult open_data_channel(std::string_view label, std::string_view protocol,
                                   const DataChannelParameters& parameters = {});
  // One message on an open channel: text (UTF-8) or binary. TooLarge over the remote's
  // max-message-size.
  DataSendResult send_data(std::uint16_t id, std::span<const std::uint8_t> data, bool binary);
  // Resets the channel's outgoing stream (RFC 8831 section 6.7); on_data_channel_closed follows
  // when the remote resets its own. Unknown ids are ignored.
  void close_data_channel(std::uint16_t id);
  // The open channel with `label` (the one with the lowest id if several), whoever opened it;
  // channels being closed are left out.
  std::optional<std::uint16_t> data_channel_id(std::string_view label) const noexcept;
  const DataChannelInfo* data_channel(std::uint16_t id) const noexcept;
  std::size_t data_channel_count() const noexcept;

  // Fires DTLS retransmissions, the handshake deadline, the connect deadline and SCTP's timers.
  // Called by the PeerTimer at or after the deadline it was armed with (calling it early is
  // harmless). May call the listener.
  void handle_timeout(time::Timestamp now);
  // The deadline last handed to PeerTimer::arm().
  std::optional<time::Timestamp> next_timeout() const noexcept { return armed_; }

  // Aborts the SCTP association and sends close_notify (when DTLS is up), closes ICE and stops.
  // Idempotent; not reported through the listener. The remote Peer sees Closed.
  void close();

  PeerState state() const noexcept { return state_; }
  // Why the Peer failed or closed; empty before.
  const std::string& reason() const noexcept { return reason_; }
  const PeerCounters& counters() const noexcept { return counters_; }
  // The negotiated SRTP profile and the fingerprint the remote certificate matched, once
  // Connected.
  std::optional<srtp::SrtpProfile> srtp_profile() const noexcept;
  const std::optional<dtls::Fingerprint>& remote_fingerprint() const noexcept {
    return remote_fingerprint_;
  }

 private:
  // ice::IceTransportListener: called from the worker's loop, never from inside an ICE method.
  void on_datagram(std::span<std::uint8_t> datagram) noexcept override;
  void on_state(ice::IceState state) override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;

  void on_dtls(std::span<const std::uint8_t> datagram) noexcept;
  void on_srtp(std::span<std::uint8_t> datagram, bool rtcp) noexcept;
  void create_endpoint(time::Timestamp now);
  // Takes every output the endpoint has: sends Transmits and acts on events (the caller re-arms
  // the timer after). Not re-entered: an inner call returns and the outer loop takes the rest.
  void drain_endpoint();
  // Sends what the endpoint has to send, leaving its events queued; never reaches the listener.
  void flush_transmits() noexcept;
  void on_application_data(std::span<const std::uint8_t> data);
  // One SCTP packet out as one DTLS application data record.
  void send_sctp_packet(std::span<const std::uint8_t> packet) noexcept;
  void on_dtls_connected(dtls::Connected& connected);
  void transmit(std::span<const std::uint8_t> datagram) noexcept;
  SendResult send_protected(std::span<std::uint8_t> buffer, std::size_t length, bool rtcp) noexcept;
  void update_timer();
  bool terminal() const noexcept {
    return state_ == PeerState::Failed || state_ == PeerState::Closed;
  }
  // Terminal transitions: record, stop DTLS timers and ICE, then tell the listener (if `report`).
  void finish(PeerState state, std::string reason, bool report);
  void set_connecting();
  // Started, not yet Connected and not terminal: the connect deadline is armed.
  bool waiting_to_connect() const noexcept;
  // "connect timeout: ..." naming the step that did not happen.
  std::string connect_timeout_reason() const;

  std::unique_ptr<ice::IceTransport> ice_;
  std::shared_ptr<const dtls::Certificate> certificate_;
  PeerTimer& timer_;
  PeerListener& listener_;

  std::optional<PeerConfig> config_;
  // Created by start() (Passive) or when ICE connects (Active); never destroyed before the Peer,
  // so a listener callback that calls close() cannot pull it from under the drain loop.
  std::optional<dtls::Endpoint> endpoint_;
  std::optional<srtp::SrtpSession> inbound_;
  std::optional<srtp::SrtpSession> outbound_;
  srtp::KeyingMaterial keys_;  // once Connected: for make_outbound_rtp_session()
  // Created by enable_data_channels(); like the endpoint, never destroyed before the Peer.
  std::unique_ptr<detail::DataChannels> data_;
  std::optional<dtls::Fingerprint> remote_fingerprint_;
  // start() + connect_timeout; checked while waiting_to_connect().
  std::optional<time::Timestamp> connect_deadline_;
  std::optional<time::Timestamp> armed_;
  PeerState state_ = PeerState::New;
  std::string reason_;
  PeerCounters counters_;
  bool draining_ = false;
};

}  // namespace rrtc::transport
