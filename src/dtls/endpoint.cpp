#include "dtls/endpoint.hpp"

#include "dtls/datagram_bio.hpp"
#include "dtls/openssl_ptr.hpp"
#include "dtls/record_check.hpp"
#include "log/log.hpp"

#include <openssl/err.h>
#include <openssl/srtp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <deque>

namespace rrtc::dtls {
namespace {

constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";  // RFC 5764 section 4.2
constexpr std::size_t kReadBufferSize = 16384;                      // largest DTLS plaintext record

spdlog::logger& logger() {
  static spdlog::logger& instance = rrtc::log::get("dtls");
  return instance;
}

std::string openssl_error_string() {
  const unsigned long code = ERR_peek_last_error();
  if (code == 0) return "unknown OpenSSL error";
  std::array<char, 256> buffer{};
  ERR_error_string_n(code, buffer.data(), buffer.size());
  return buffer.data();
}

// The shortest encrypted fragment the negotiated cipher can produce: explicit nonce + tag for
// AES-GCM (RFC 5288), tag only for ChaCha20-Poly1305 (RFC 7905). Before a cipher is chosen the
// smaller bound applies.
std::size_t min_encrypted_length(const SSL* ssl) noexcept {
  constexpr std::size_t kTag = 16;
  constexpr std::size_t kGcmExplicitNonce = 8;
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher == nullptr) return kTag;
  const int nid = SSL_CIPHER_get_cipher_nid(cipher);
  return nid == NID_aes_128_gcm || nid == NID_aes_256_gcm ? kGcmExplicitNonce + kTag : kTag;
}

std::string profile_list(const std::vector<SrtpProfile>& profiles) {
  std::string out;
  for (const auto profile : profiles) {
    if (!out.empty()) out += ':';
    out += openssl_name(profile);
  }
  return out;
}

}  // namespace

std::string_view to_string(FailReason reason) noexcept {
  switch (reason) {
    case FailReason::FingerprintMismatch: return "fingerprint mismatch";
    case FailReason::HandshakeTimeout: return "handshake timeout";
    case FailReason::AlertReceived: return "alert received";
    case FailReason::NoSrtpProfile: return "no SRTP profile";
    case FailReason::ProtocolError: return "protocol error";
    case FailReason::Internal: return "internal error";
  }
  return "unknown";
}

class Endpoint::Impl {
 public:
  Impl(std::shared_ptr<const Certificate> certificate, EndpointConfig config, TimePoint now);

  void handle_datagram(std::span<const std::uint8_t> datagram, TimePoint now);
  void handle_timeout(TimePoint now);
  std::optional<TimePoint> next_timeout() const noexcept;
  void close(TimePoint now);
  bool send_application_data(std::span<const std::uint8_t> data, TimePoint now);
  std::optional<Output> poll_output();

  EndpointState state() const noexcept { return state_; }
  Role role() const noexcept { return config_.role; }

  // OpenSSL callbacks (noexcept trampolines find the Impl through SSL_get_app_data).
  static unsigned int on_timer(SSL* ssl, unsigned int previous_us) noexcept;
  static int on_verify(int preverify_ok, X509_STORE_CTX* store) noexcept;
  static void on_info(const SSL* ssl, int where, int value) noexcept;

 private:
  bool set_up_ssl();
  bool accept_peer_certificate(const X509& leaf);
  void start_handshake(TimePoint now);
  void drive_handshake();
  void on_handshake_done();
  bool export_keys(SrtpProfile profile, KeyingMaterial& keys);
  void read_application_data();
  void fail(FailReason reason, std::string detail);
  void fail_from_openssl(int ssl_error);
  void collect_datagrams();
  void finish_call(TimePoint now);

  std::shared_ptr<const Certificate> certificate_;
  EndpointConfig config_;
  // Declared before ssl_: the SSL (which frees the BIO) is destroyed first.
  detail::DatagramBioState bio_;
  detail::SslPtr ssl_;
  EndpointState state_ = EndpointState::Idle;
  std::deque<Output> outputs_;
  std::optional<TimePoint> handshake_deadline_;
  std::optional<TimePoint> retransmit_at_;
  std::optional<Fingerprint> matched_fingerprint_;
  bool fingerprint_mismatch_ = false;
  const char* fatal_alert_ = nullptr;  // static string from SSL_alert_desc_string_long
  std::vector<std::uint8_t> read_buffer_;
};

Endpoint::Impl::Impl(std::shared_ptr<const Certificate> certificate, EndpointConfig config, TimePoint now)
    : certificate_(std::move(certificate)), config_(std::move(config)) {
  bio_.mtu = config_.mtu;
  if (config_.remote_fingerprints.empty()) {
    fail(FailReason::FingerprintMismatch, "the peer announced no a=fingerprint");
    return;
  }
  if (!certificate_ || config_.srtp_profiles.empty() || !set_up_ssl()) {
    fail(FailReason::Internal, "cannot create the DTLS session: " + openssl_error_string());
    ERR_clear_error();
    return;
  }
  if (config_.role == Role::Active) {
    start_handshake(now);
    drive_handshake();
    finish_call(now);
  }
}

bool Endpoint::Impl::set_up_ssl() {
  ERR_clear_error();
  ssl_.reset(SSL_new(certificate_->native_context()));
  if (!ssl_) return false;
  SSL_set_app_data(ssl_.get(), this);
  BIO* bio = detail::new_datagram_bio(&bio_);
  if (bio == nullptr) return false;
  SSL_set_bio(ssl_.get(), bio, bio);  // one reference serves both directions
  // Our MTU, never a probed one: the BIO is not a socket.
  SSL_set_options(ssl_.get(), SSL_OP_NO_QUERY_MTU);
  // SSL_set_mtu answers the MTU it set, or 0 if it is below DTLS's minimum.
  if (SSL_set_mtu(ssl_.get(), static_cast<long>(config_.mtu)) <= 0) return false;
  if (SSL_set_tlsext_use_srtp(ssl_.get(), profile_list(config_.srtp_profiles).c_str()) != 0) return false;
  DTLS_set_timer_cb(ssl_.get(), &Impl::on_timer);
  SSL_set_info_callback(ssl_.get(), &Impl::on_info);
  // Both roles demand the peer's certificate; trust comes from the SDP fingerprint, not a CA.
  SSL_set_verify(ssl_.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &Impl::on_verify);
  if (config_.role == Role::Passive) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
  return true;
}

unsigned int Endpoint::Impl::on_timer(SSL* ssl, unsigned int previous_us) noexcept {
  const auto* self = static_cast<const Impl*>(SSL_get_app_data(ssl));
  if (self == nullptr) return 1'000'000;
  const auto initial = std::chrono::duration_cast<std::chrono::microseconds>(self->config_.initial_retransmit_timeout);
  const auto maximum = std::chrono::duration_cast<std::chrono::microseconds>(self->config_.max_retransmit_timeout);
  const auto clamp = [](long long us) {
    return static_cast<unsigned int>(std::clamp<long long>(us, 1, UINT_MAX / 2));
  };
  if (previous_us == 0) return clamp(initial.count());  // a new flight
  return clamp(std::min<long long>(2LL * previous_us, maximum.count()));
}

int Endpoint::Impl::on_verify(int, X509_STORE_CTX* store) noexcept {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return 0;
  auto* self = static_cast<Impl*>(SSL_get_app_data(ssl));
  const X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (self == nullptr || leaf == nullptr) return 0;
  // The certificate is self-signed, so the chain errors OpenSSL reports are expected; whether
  // the leaf matches the SDP fingerprint is the only check that counts.
  return self->accept_peer_certificate(*leaf) ? 1 : 0;
}

void Endpoint::Impl::on_info(const SSL* ssl, int where, int value) noexcept {
  // SSL_CB_READ_ALERT shares the SSL_CB_ALERT bit with SSL_CB_WRITE_ALERT: test both bits.
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0 || (value >> 8) != SSL3_AL_FATAL) return;
  auto* self = static_cast<Impl*>(SSL_get_app_data(ssl));
  if (self != nullptr) self->fatal_alert_ = SSL_alert_desc_string_long(value);
}

bool Endpoint::Impl::accept_peer_certificate(const X509& leaf) {
  try {
    for (const auto& expected : config_.remote_fingerprints) {
      const auto actual = Fingerprint::of(leaf, expected.algorithm);
      if (actual && *actual == expected) {
        matched_fingerprint_ = expected;
        return true;
      }
    }
  } catch (...) {
    // Allocation failure: treated as a mismatch, never thrown through OpenSSL.
  }
  fingerprint_mismatch_ = true;
  return false;
}

void Endpoint::Impl::start_handshake(TimePoint now) {
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
    fail(FailReason::FingerprintMismatch, "the peer presented no certificate matching its a=fingerprint");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const auto profile = selected != nullptr ? profile_from_id(static_cast<std::uint16_t>(selected->id)) : std::nullopt;
  if (!profile) {
    fail(FailReason::NoSrtpProfile, "the peer offered none of " + profile_list(config_.srtp_profiles));
    return;
  }
  Connected connected{KeyingMaterial{*profile, {}, {}}, *matched_fingerprint_};
  if (!export_keys(*profile, connected.keys)) {
    fail(FailReason::Internal, "keying material export failed: " + openssl_error_string());
    return;
  }
  state_ = EndpointState::Connected;
  handshake_deadline_.reset();
  collect_datagrams();
  logger().debug("DTLS connected as {}, {}", config_.role == Role::Passive ? "server" : "client",
                 openssl_name(*profile));
  outputs_.emplace_back(std::move(connected));
}

bool Endpoint::Impl::export_keys(SrtpProfile profile, KeyingMaterial& keys) {
  const std::size_t key_length = master_key_length(profile);
  const std::size_t salt_length = master_salt_length(profile);
  std::vector<std::uint8_t> material(2 * (key_length + salt_length));
  if (SSL_export_keying_material(ssl_.get(), material.data(), material.size(), kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    return false;
  }
  // client key | server key | client salt | server salt (RFC 5764 section 4.2)
  const auto* client_key = material.data();
  const auto* server_key = client_key + key_length;
  const auto* client_salt = server_key + key_length;
  const auto* server_salt = client_salt + salt_length;
  MasterKeyAndSalt client(client_key, client_key + key_length);
  client.insert(client.end(), client_salt, client_salt + salt_length);
  MasterKeyAndSalt server(server_key, server_key + key_length);
  server.insert(server.end(), server_salt, server_salt + salt_length);
  OPENSSL_cleanse(material.data(), material.size());
  const bool is_client = config_.role == Role::Active;
  keys.local = is_client ? std::move(client) : std::move(server);
  keys.remote = is_client ? std::move(server) : std::move(client);
  return true;
}

void Endpoint::Impl::read_application_data() {
  if (read_buffer_.empty()) read_buffer_.resize(kReadBufferSize);
  for (;;) {
    ERR_clear_error();
    const int result = SSL_read(ssl_.get(), read_buffer_.data(), static_cast<int>(read_buffer_.size()));
    if (result > 0) {
      outputs_.emplace_back(ApplicationData{{read_buffer_.begin(), read_buffer_.begin() + result}});
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
    fail(FailReason::FingerprintMismatch, "the peer's certificate matches none of its a=fingerprint values");
  } else if (fatal_alert_ != nullptr) {
    fail(FailReason::AlertReceived, std::string("fatal alert from the peer: ") + fatal_alert_);
  } else if (ssl_error == SSL_ERROR_SSL) {
    fail(FailReason::ProtocolError, openssl_error_string());
  } else {
    fail(FailReason::Internal, "SSL error " + std::to_string(ssl_error) + ": " + openssl_error_string());
  }
  ERR_clear_error();
}

void Endpoint::Impl::collect_datagrams() {
  bio_.close_pending();
  for (auto& datagram : bio_.datagrams) outputs_.emplace_back(Transmit{std::move(datagram)});
  bio_.datagrams.clear();
}

void Endpoint::Impl::finish_call(TimePoint now) {
  collect_datagrams();
  retransmit_at_.reset();
  if (!ssl_ || (state_ != EndpointState::Handshaking && state_ != EndpointState::Connected)) return;
  // OpenSSL's remaining time by its own clock, anchored at our `now` (see the header).
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_.get(), &remaining) == 1) {
    retransmit_at_ = now + std::chrono::seconds(remaining.tv_sec) + std::chrono::microseconds(remaining.tv_usec);
  }
}

void Endpoint::Impl::handle_datagram(std::span<const std::uint8_t> datagram, TimePoint now) {
  if (!ssl_ || state_ == EndpointState::Failed || state_ == EndpointState::Closed) return;
  // Not whole records (an empty one would even read as end of file): dropped, per RFC 6347.
  if (!detail::records_well_formed(datagram, min_encrypted_length(ssl_.get()))) return;
  if (state_ == EndpointState::Idle) start_handshake(now);
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

void Endpoint::Impl::handle_timeout(TimePoint now) {
  if (!ssl_ || (state_ != EndpointState::Handshaking && state_ != EndpointState::Connected)) return;
  if (state_ == EndpointState::Handshaking && handshake_deadline_ && now >= *handshake_deadline_) {
    fail(FailReason::HandshakeTimeout,
         "no DTLS handshake within " + std::to_string(config_.handshake_timeout.count()) + " ms");
    return;
  }
  if (retransmit_at_ && now >= *retransmit_at_) {
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

std::optional<TimePoint> Endpoint::Impl::next_timeout() const noexcept {
  std::optional<TimePoint> next = retransmit_at_;
  if (state_ == EndpointState::Handshaking && handshake_deadline_) {
    next = next ? std::min(*next, *handshake_deadline_) : *handshake_deadline_;
  }
  return next;
}

void Endpoint::Impl::close(TimePoint now) {
  if (state_ == EndpointState::Failed || state_ == EndpointState::Closed) return;
  if (ssl_ && SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
  }
  state_ = EndpointState::Closed;
  finish_call(now);
}

bool Endpoint::Impl::send_application_data(std::span<const std::uint8_t> data, TimePoint now) {
  if (state_ != EndpointState::Connected || data.empty() || data.size() > kReadBufferSize) return false;
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

Endpoint::Endpoint(std::shared_ptr<const Certificate> certificate, EndpointConfig config, TimePoint now)
    : impl_(std::make_unique<Impl>(std::move(certificate), std::move(config), now)) {}
Endpoint::~Endpoint() = default;
Endpoint::Endpoint(Endpoint&&) noexcept = default;
Endpoint& Endpoint::operator=(Endpoint&&) noexcept = default;

void Endpoint::handle_datagram(std::span<const std::uint8_t> datagram, TimePoint now) {
  impl_->handle_datagram(datagram, now);
}
void Endpoint::handle_timeout(TimePoint now) { impl_->handle_timeout(now); }
std::optional<TimePoint> Endpoint::next_timeout() const noexcept { return impl_->next_timeout(); }
void Endpoint::close(TimePoint now) { impl_->close(now); }
bool Endpoint::send_application_data(std::span<const std::uint8_t> data, TimePoint now) {
  return impl_->send_application_data(data, now);
}
std::optional<Output> Endpoint::poll_output() { return impl_->poll_output(); }
EndpointState Endpoint::state() const noexcept { return impl_->state(); }
Role Endpoint::role() const noexcept { return impl_->role(); }

}  // namespace rrtc::dtls
