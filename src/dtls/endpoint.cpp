#include <openssl/err.h>

#include <algorithm>
#include <array>

#include "dtls/endpoint_impl.hpp"
#include "dtls/record_check.hpp"

namespace rrtc::dtls {

using detail::kReadBufferSize;
using detail::min_encrypted_length;
using detail::openssl_error_string;
using detail::profile_list;

namespace {
spdlog::logger& logger() { return detail::dtls_logger(); }
}  // namespace

void Endpoint::Impl::start_handshake(time::Timestamp now) {
  state_ = EndpointState::Handshaking;
  handshake_deadline_ = now + config_.handshake_timeout;
}

void Endpoint::Impl::drive_handshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    on_handshake_done();
    return;
  }
  const int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  fail_from_openssl(error);
}

void Endpoint::Impl::on_handshake_done() {
  // The verify callback has already matched the leaf; this guards against a handshake that
  // completed without one (e.g. a future change to the verify mode).
  if (!matched_fingerprint_ || SSL_get0_peer_certificate(ssl_.get()) == nullptr) {
    fail(FailReason::FingerprintMismatch,
         "the peer presented no certificate matching its a=fingerprint");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const auto profile = selected != nullptr
                           ? srtp::profile_from_id(static_cast<std::uint16_t>(selected->id))
                           : std::nullopt;
  if (!profile) {
    fail(FailReason::NoSrtpProfile,
         "the peer offered none of " + profile_list(config_.srtp_profiles));
    return;
  }
  Connected connected{srtp::KeyingMaterial{*profile, {}, {}}, *matched_fingerprint_};
  if (!export_keys(*profile, connected.keys)) {
    fail(FailReason::Internal, "keying material export failed: " + openssl_error_string());
    return;
  }
  state_ = EndpointState::Connected;
  handshake_deadline_.reset();
  collect_datagrams();
  logger().debug("DTLS connected as {}, {}", config_.role == Role::Passive ? "server" : "client",
                 srtp::openssl_name(*profile));
  outputs_.emplace_back(std::move(connected));
}
void Endpoint::Impl::read_application_data() {
  // One per thread, not per endpoint: a record is copied out of it before SSL_read returns to us,
  // and an endpoint is only called on its owner's thread.
  thread_local std::array<std::uint8_t, kReadBufferSize> read_buffer;
  for (;;) {
    ERR_clear_error();
    const int result =
        SSL_read(ssl_.get(), read_buffer.data(), static_cast<int>(read_buffer.size()));
    if (result > 0) {
      outputs_.emplace_back(ApplicationData{{read_buffer.begin(), read_buffer.begin() + result}});
      continue;
    }
    const int error = SSL_get_error(ssl_.get(), result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      // close_notify: answer with ours (RFC 5246 section 7.2.1) and stop.
      SSL_shutdown(ssl_.get());
      state_ = EndpointState::Closed;
      retransmit_at_.reset();
      collect_datagrams();
      outputs_.emplace_back(Closed{});
      return;
    }
    fail_from_openssl(error);
    return;
  }
}

void Endpoint::Impl::fail(FailReason reason, std::string detail) {
  if (state_ == EndpointState::Failed || state_ == EndpointState::Closed) return;
  // After a completed handshake tell the peer we are gone; during it OpenSSL sent its alert.
  if (ssl_ && SSL_is_init_finished(ssl_.get())) SSL_shutdown(ssl_.get());
  state_ = EndpointState::Failed;
  retransmit_at_.reset();
  handshake_deadline_.reset();
  collect_datagrams();
  logger().debug("DTLS failed: {}: {}", to_string(reason), detail);
  outputs_.emplace_back(Failed{reason, std::move(detail)});
}

void Endpoint::Impl::fail_from_openssl(int ssl_error) {
  if (fingerprint_mismatch_) {
    fail(FailReason::FingerprintMismatch,
         "the peer's certificate matches none of its a=fingerprint values");
  } else if (fatal_alert_ != nullptr) {
    fail(FailReason::AlertReceived, std::string("fatal alert from the peer: ") + fatal_alert_);
  } else if (ssl_error == SSL_ERROR_SSL) {
    fail(FailReason::ProtocolError, openssl_error_string());
  } else {
    fail(FailReason::Internal,
         "SSL error " + std::to_string(ssl_error) + ": " + openssl_error_string());
  }
  ERR_clear_error();
}

void Endpoint::Impl::collect_datagrams() {
  bio_.close_pending();
  for (auto& datagram : bio_.datagrams) outputs_.emplace_back(Transmit{std::move(datagram)});
  bio_.datagrams.clear();
}

void Endpoint::Impl::finish_call(time::Timestamp now) {
  collect_datagrams();
  release_record_buffers();
  retransmit_at_.reset();
  if (!ssl_ || (state_ != EndpointState::Handshaking && state_ != EndpointState::Connected)) return;
  // OpenSSL's remaining time by its own clock, anchored at our `now` (see the header).
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_.get(), &remaining) == 1) {
    retransmit_at_ =
        now + std::chrono::seconds(remaining.tv_sec) + std::chrono::microseconds(remaining.tv_usec);
  }
}

void Endpoint::Impl::handle_datagram(std::span<const std::uint8_t> datagram, time::Timestamp now) {
  if (!ssl_ || state_ == EndpointState::Failed || state_ == EndpointState::Closed) return;
  // Not whole records (an empty one would even read as end of file): dropped, per RFC 6347.
  if (!detail::records_well_formed(datagram, min_encrypted_length(ssl_.get()))) return;
  if (state_ == EndpointState::Idle) start_handshake(now);
  if (!hold_record_buffers()) return;
  if (state_ == EndpointState::Handshaking && now >= *handshake_deadline_) {
    handle_timeout(now);
    return;
  }
  bio_.input = datagram;
  bio_.has_input = true;
  if (state_ == EndpointState::Handshaking) drive_handshake();
  // Application data may share the datagram that completed the handshake.
  if (state_ == EndpointState::Connected) read_application_data();
  bio_.input = {};
  bio_.has_input = false;
  finish_call(now);
}

void Endpoint::Impl::handle_timeout(time::Timestamp now) {
  if (!ssl_ || (state_ != EndpointState::Handshaking && state_ != EndpointState::Connected)) return;
  if (state_ == EndpointState::Handshaking && handshake_deadline_ && now >= *handshake_deadline_) {
    fail(FailReason::HandshakeTimeout,
         "no DTLS handshake within " + std::to_string(config_.handshake_timeout.count()) + " ms");
    return;
  }
  if (retransmit_at_ && now >= *retransmit_at_) {
    if (!hold_record_buffers()) return;
    ERR_clear_error();
    // 0 when OpenSSL's clock says it is not time yet: finish_call re-arms from its remaining time.
    if (DTLSv1_handle_timeout(ssl_.get()) < 0) {
      fail(FailReason::HandshakeTimeout, "retransmission limit reached: " + openssl_error_string());
      ERR_clear_error();
      return;
    }
  }
  finish_call(now);
}

std::optional<time::Timestamp> Endpoint::Impl::next_timeout() const noexcept {
  std::optional<time::Timestamp> next = retransmit_at_;
  if (state_ == EndpointState::Handshaking && handshake_deadline_) {
    next = next ? std::min(*next, *handshake_deadline_) : *handshake_deadline_;
  }
  return next;
}

void Endpoint::Impl::close(time::Timestamp now) {
  if (state_ == EndpointState::Failed || state_ == EndpointState::Closed) return;
  if (ssl_ && SSL_is_init_finished(ssl_.get()) && hold_record_buffers()) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
  }
  state_ = EndpointState::Closed;
  finish_call(now);
}

bool Endpoint::Impl::send_application_data(std::span<const std::uint8_t> data,
                                           time::Timestamp now) {
  if (state_ != EndpointState::Connected || data.empty() || data.size() > kReadBufferSize)
    return false;
  if (!hold_record_buffers()) return false;
  ERR_clear_error();
  const int written = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
  const bool ok = written == static_cast<int>(data.size());
  ERR_clear_error();
  finish_call(now);
  return ok;
}

std::optional<Output> Endpoint::Impl::poll_output() {
  if (outputs_.empty()) return std::nullopt;
  Output next = std::move(outputs_.front());
  outputs_.pop_front();
  return next;
}

std::optional<Transmit> Endpoint::Impl::poll_transmit() {
  const auto it = std::find_if(outputs_.begin(), outputs_.end(), [](const Output& output) {
    return std::holds_alternative<Transmit>(output);
  });
  if (it == outputs_.end()) return std::nullopt;
  Transmit next = std::move(std::get<Transmit>(*it));
  outputs_.erase(it);
  return next;
}

Endpoint::Endpoint(std::shared_ptr<const Certificate> certificate, EndpointConfig config,
                   time::Timestamp now)
    : impl_(std::make_unique<Impl>(std::move(certificate), std::move(config), now)) {}
Endpoint::~Endpoint() = default;
Endpoint::Endpoint(Endpoint&&) noexcept = default;
Endpoint& Endpoint::operator=(Endpoint&&) noexcept = default;

void Endpoint::handle_datagram(std::span<const std::uint8_t> datagram, time::Timestamp now) {
  impl_->handle_datagram(datagram, now);
}
void Endpoint::handle_timeout(time::Timestamp now) { impl_->handle_timeout(now); }
std::optional<time::Timestamp> Endpoint::next_timeout() const noexcept {
  return impl_->next_timeout();
}
void Endpoint::close(time::Timestamp now) { impl_->close(now); }
bool Endpoint::send_application_data(std::span<const std::uint8_t> data, time::Timestamp now) {
  return impl_->send_application_data(data, now);
}
std::optional<Output> Endpoint::poll_output() { return impl_->poll_output(); }
std::optional<Transmit> Endpoint::poll_transmit() { return impl_->poll_transmit(); }
EndpointState Endpoint::state() const noexcept { return impl_->state(); }
Role Endpoint::role() const noexcept { return impl_->role(); }

}  // namespace rrtc::dtls
