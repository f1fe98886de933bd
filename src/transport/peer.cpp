#include "transport/peer.hpp"

#include <algorithm>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "ice/nice_transport.hpp"
#include "log/log.hpp"
#include "rtp/demux.hpp"
#include "transport/peer_data_channels.hpp"

namespace rrtc::transport {
namespace {

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("transport");
  return instance;
}

std::string dtls_failure(const dtls::Failed& failed) {
  std::string reason = "DTLS failed: ";
  reason += dtls::to_string(failed.reason);
  if (!failed.detail.empty()) {
    reason += ": ";
    reason += failed.detail;
  }
  return reason;
}

}  // namespace

ConsentCounters consent_counters() noexcept {
  const ice::NiceTransport::ConsentCounters ice = ice::NiceTransport::consent_counters();
  return {ice.rearmed, ice.expired, ice.revoked};
}

Peer::Peer(std::unique_ptr<ice::IceTransport> ice,
           std::shared_ptr<const dtls::Certificate> certificate, PeerTimer& timer,
           PeerListener& listener)
    : ice_(std::move(ice)),
      certificate_(std::move(certificate)),
      timer_(timer),
      listener_(listener) {
  ice_->set_listener(this);
}

Peer::~Peer() {
  // Destroyed without an ABORT (close() sends one): usrsctp forgets the association now.
  data_.reset();
  ice_->set_listener(nullptr);
  if (armed_) timer_.arm(std::nullopt);
  ice_->close();
}

StartResult Peer::start(const PeerConfig& config) {
  if (terminal()) return StartResult::Closed;
  if (config_) return StartResult::AlreadyStarted;
  if (!ice::valid_credentials(config.remote_credentials)) return StartResult::BadIceCredentials;
  if (config.dtls.remote_fingerprints.empty()) return StartResult::NoFingerprints;
  if (config.dtls.srtp_profiles.empty()) return StartResult::NoSrtpProfiles;
  if (config.connect_timeout <= std::chrono::milliseconds::zero())
    return StartResult::BadConnectTimeout;
  // ICE events only come from the loop, so nothing can happen before the endpoint exists.
  if (!ice_->set_remote_credentials(config.remote_credentials))
    return StartResult::BadIceCredentials;
  config_ = config;
  connect_deadline_ = timer_.now() + config.connect_timeout;
  if (config.dtls.role == dtls::Role::Passive) {
    // Idle until the ClientHello; its handshake deadline starts with that first datagram.
    create_endpoint(timer_.now());
    if (endpoint_->state() == dtls::EndpointState::Failed) {
      finish(PeerState::Failed, "DTLS setup failed", false);
      return StartResult::DtlsSetupFailed;
    }
  }
  update_timer();
  return StartResult::Started;
}

ice::CandidateResult Peer::add_remote_candidate(std::string_view candidate) {
  if (terminal()) return ice::CandidateResult::Closed;
  return ice_->add_remote_candidate(candidate);
}

SendResult Peer::send_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
  return send_protected(buffer, length, false);
}

SendResult Peer::send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  return send_protected(buffer, length, true);
}

SendResult Peer::send_protected(std::span<std::uint8_t> buffer, std::size_t length,
                                bool rtcp) noexcept {
  if (state_ != PeerState::Connected) return SendResult::NotConnected;
  // A packet of the other kind would be demultiplexed as such by the receiver (RFC 5761
  // section 4) and fail its authentication there: refuse it here, where the bug is.
  const rtp::PacketKind expected = rtcp ? rtp::PacketKind::kRtcp : rtp::PacketKind::kRtp;
  if (length > buffer.size() || rtp::classify(buffer.first(length)) != expected) {
    ++counters_.send_failures;
    return SendResult::Malformed;
  }
  auto protected_length =
      rtcp ? outbound_->protect_rtcp(buffer, length) : outbound_->protect_rtp(buffer, length);
  if (!protected_length) {
    ++counters_.send_failures;
    return SendResult::ProtectFailed;
  }
  if (!ice_->send(buffer.first(*protected_length))) {
    ++counters_.send_failures;
    return SendResult::IceRefused;
  }
  ++counters_.datagrams_out;
  counters_.bytes_out += *protected_length;
  ++(rtcp ? counters_.rtcp_sent : counters_.rtp_sent);
  return SendResult::Sent;
}

void Peer::handle_timeout(time::Timestamp now) {
  if (terminal()) return;
  // The one-shot timer has fired (or this call is early and the re-arm below replaces it).
  armed_.reset();
  if (waiting_to_connect() && now >= *connect_deadline_) {
    finish(PeerState::Failed, connect_timeout_reason(), true);
    return;
  }
  if (endpoint_) {
    endpoint_->handle_timeout(now);
    drain_endpoint();
  }
  if (data_ && !terminal()) {
    const auto due = data_->next_timeout();
    if (due && *due <= now) data_->handle_timeout(now);
  }
  update_timer();
}

void Peer::close() {
  if (terminal()) return;
  // The ABORT leaves while DTLS is still up, so the remote's channels close at once.
  if (data_) data_->close();
  if (endpoint_) {
    // close_notify when the handshake finished; the endpoint emits no event after close().
    endpoint_->close(timer_.now());
    flush_transmits();
  }
  finish(PeerState::Closed, "closed locally", false);
}

boost::system::result<srtp::SrtpSession> Peer::make_outbound_rtp_session() const {
  if (!outbound_) return srtp::SrtpError::Failure;
  return srtp::SrtpSession::create(keys_.profile, keys_.local, srtp::SrtpDirection::Outbound);
}

std::optional<srtp::SrtpProfile> Peer::srtp_profile() const noexcept {
  if (!outbound_) return std::nullopt;
  return outbound_->profile();
}

void Peer::on_datagram(std::span<std::uint8_t> datagram) noexcept {
  ++counters_.datagrams_in;
  counters_.bytes_in += datagram.size();
  switch (rtp::classify(datagram)) {
    case rtp::PacketKind::kDtls:
      on_dtls(datagram);
      break;
    case rtp::PacketKind::kRtp:
      on_srtp(datagram, false);
      break;
    case rtp::PacketKind::kRtcp:
      on_srtp(datagram, true);
      break;
    case rtp::PacketKind::kStun:
    case rtp::PacketKind::kUnknown:
      ++counters_.dropped_unknown;
      break;
  }
}

void Peer::on_srtp(std::span<std::uint8_t> datagram, bool rtcp) noexcept {
  if (state_ != PeerState::Connected) {
    ++counters_.dropped_not_connected;
    return;
  }
  auto plain = rtcp ? inbound_->unprotect_rtcp(datagram, datagram.size())
                    : inbound_->unprotect_rtp(datagram, datagram.size());
  if (!plain) {
    ++(plain.error() == srtp::SrtpError::Replay ? counters_.replays : counters_.decrypt_failures);
    return;
  }
  if (rtcp) {
    ++counters_.rtcp_decrypted;
    listener_.on_rtcp(datagram.first(*plain));
  } else {
    ++counters_.rtp_decrypted;
    listener_.on_rtp(datagram.first(*plain));
  }
}

void Peer::on_dtls(std::span<const std::uint8_t> datagram) noexcept {
  if (!endpoint_ || terminal()) {
    ++counters_.dropped_not_connected;
    return;
  }
  ++counters_.dtls_in;
  try {
    endpoint_->handle_datagram(datagram, timer_.now());
    drain_endpoint();
    update_timer();
  } catch (const std::exception& error) {
    // Allocation failure or a throwing listener: this peer ends, the worker goes on.
    try {
      finish(PeerState::Failed, std::string("internal error: ") + error.what(), true);
    } catch (...) {
      state_ = PeerState::Failed;
    }
  }
}

void Peer::on_state(ice::IceState state) {
  if (terminal() || !config_) return;
  switch (state) {
    case ice::IceState::New:
      break;
    case ice::IceState::Checking:
      set_connecting();
      break;
    case ice::IceState::Connected:
      set_connecting();
      if (terminal() || endpoint_) break;
      // Active: the ClientHello goes out now that ICE has a pair to send it on.
      create_endpoint(timer_.now());
      drain_endpoint();
      update_timer();
      break;
    case ice::IceState::Failed: {
      // A connected transport says which: consent expired (RFC 7675) or revoked.
      const std::string_view why = ice_->failure_reason();
      finish(PeerState::Failed,
             why.empty() ? std::string("ICE failed: no candidate pair works, or consent lost")
                         : "ICE failed: " + std::string(why),
             true);
      break;
    }
    case ice::IceState::Closed:
      finish(PeerState::Closed, "ICE transport closed", true);
      break;
  }
}

void Peer::on_local_candidate(std::string candidate) {
  if (!terminal()) listener_.on_local_candidate(std::move(candidate));
}

void Peer::on_gathering_done() {
  if (!terminal()) listener_.on_gathering_done();
}

void Peer::create_endpoint(time::Timestamp now) {
  endpoint_.emplace(certificate_, config_->dtls, now);
}

void Peer::drain_endpoint() {
  if (draining_) return;
  draining_ = true;
  // Reset however the loop ends (a throwing listener is caught in on_dtls).
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{draining_};
  while (endpoint_) {
    std::optional<dtls::Output> output = endpoint_->poll_output();
    if (!output) break;
    if (auto* datagram = std::get_if<dtls::Transmit>(&*output)) {
      transmit(datagram->datagram);
    } else if (auto* connected = std::get_if<dtls::Connected>(&*output)) {
      on_dtls_connected(*connected);
    } else if (auto* failed = std::get_if<dtls::Failed>(&*output)) {
      finish(PeerState::Failed, dtls_failure(*failed), true);
    } else if (std::holds_alternative<dtls::Closed>(*output)) {
      finish(PeerState::Closed, "the peer sent DTLS close_notify", true);
    } else if (auto* data = std::get_if<dtls::ApplicationData>(&*output)) {
      on_application_data(data->data);
    }
  }
}

void Peer::flush_transmits() noexcept {
  if (!endpoint_) return;
  while (std::optional<dtls::Transmit> datagram = endpoint_->poll_transmit()) {
    transmit(datagram->datagram);
  }
}

void Peer::on_dtls_connected(dtls::Connected& connected) {
  if (terminal()) return;
  auto inbound = srtp::SrtpSession::create(connected.keys.profile, connected.keys.remote,
                                           srtp::SrtpDirection::Inbound);
  auto outbound = srtp::SrtpSession::create(connected.keys.profile, connected.keys.local,
                                            srtp::SrtpDirection::Outbound);
  if (!inbound || !outbound) {
    const auto error = !inbound ? inbound.error() : outbound.error();
    finish(PeerState::Failed, "SRTP keying failed: " + error.message(), true);
    return;
  }
  inbound_.emplace(std::move(*inbound));
  outbound_.emplace(std::move(*outbound));
  keys_.profile = connected.keys.profile;
  keys_.local = connected.keys.local;
  remote_fingerprint_ = std::move(connected.remote_fingerprint);
  // Over libnice the first DTLS datagram may beat the ICE Connected event to us.
  set_connecting();
  if (terminal()) return;
  state_ = PeerState::Connected;
  logger().info("peer {} connected ({})", ice_->local_credentials().ufrag,
                srtp::openssl_name(connected.keys.profile));
  listener_.on_state(PeerState::Connected, {});
  // The listener may have closed us, or enabled data channels just now (then it started them).
  if (data_ && !terminal()) data_->start(timer_.now(), true);
}

void Peer::transmit(std::span<const std::uint8_t> datagram) noexcept {
  if (ice_->send(datagram)) {
    ++counters_.datagrams_out;
    counters_.bytes_out += datagram.size();
  } else if (!terminal()) {
    ++counters_.send_failures;
  }
}

void Peer::update_timer() {
  std::optional<time::Timestamp> wanted;
  const auto earliest = [&](std::optional<time::Timestamp> deadline) {
    if (deadline && (!wanted || *deadline < *wanted)) wanted = deadline;
  };
  if (endpoint_ && !terminal()) earliest(endpoint_->next_timeout());
  if (data_ && !terminal()) earliest(data_->next_timeout());
  if (waiting_to_connect()) earliest(connect_deadline_);
  if (wanted == armed_) return;
  armed_ = wanted;
  timer_.arm(wanted);
}

bool Peer::waiting_to_connect() const noexcept {
  return connect_deadline_.has_value() && !terminal() && state_ != PeerState::Connected;
}

std::string Peer::connect_timeout_reason() const {
  const std::string within = " within " + std::to_string(config_->connect_timeout.count()) + " ms";
  const ice::IceState ice = ice_->state();
  // DTLS arriving proves a working pair even if libnice has not said Connected yet.
  if (ice != ice::IceState::Connected && counters_.dtls_in == 0) {
    return "connect timeout: ICE did not connect" + within + " (ICE state: " + ice::to_string(ice) +
           ")";
  }
  if (counters_.dtls_in == 0 && config_->dtls.role == dtls::Role::Passive)
    return "connect timeout: ICE connected but no DTLS ClientHello arrived" + within;
  return "connect timeout: the DTLS handshake did not finish" + within;
}

void Peer::set_connecting() {
  if (state_ != PeerState::New) return;
  state_ = PeerState::Connecting;
  listener_.on_state(PeerState::Connecting, {});
}

void Peer::finish(PeerState state, std::string reason, bool report) {
  if (terminal()) return;
  state_ = state;
  reason_ = std::move(reason);
  if (state == PeerState::Failed) {
    logger().warn("peer {} failed: {}", ice_->local_credentials().ufrag, reason_);
  } else {
    logger().info("peer {} closed: {}", ice_->local_credentials().ufrag, reason_);
  }
  // Unconditionally: handle_timeout() forgets armed_ before the endpoint runs, and an early call
  // may leave the timer pending.
  armed_.reset();
  timer_.arm(std::nullopt);
  // usrsctp forgets the association (its ABORT cannot leave: DTLS is down, or ending). Already
  // closed, first, when close() was called.
  if (data_) data_->close();
  // Stops consent freshness, so the remote ICE agent notices too. Allowed from ICE callbacks.
  ice_->close();
  if (report) listener_.on_state(state_, reason_);
}

}  // namespace rrtc::transport
