#include <openssl/err.h>
#include <openssl/srtp.h>

#include <algorithm>
#include <array>
#include <climits>

#include "dtls/endpoint_impl.hpp"
#include "log/log.hpp"

namespace rrtc::dtls {

namespace detail {

spdlog::logger& dtls_logger() {
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

std::string profile_list(const std::vector<srtp::SrtpProfile>& profiles) {
  std::string out;
  for (const auto profile : profiles) {
    if (!out.empty()) out += ':';
    out += srtp::openssl_name(profile);
  }
  return out;
}

}  // namespace detail

using detail::kExporterLabel;
using detail::openssl_error_string;
using detail::profile_list;

std::string_view to_string(FailReason reason) noexcept {
  switch (reason) {
    case FailReason::FingerprintMismatch:
      return "fingerprint mismatch";
    case FailReason::HandshakeTimeout:
      return "handshake timeout";
    case FailReason::AlertReceived:
      return "alert received";
    case FailReason::NoSrtpProfile:
      return "no SRTP profile";
    case FailReason::ProtocolError:
      return "protocol error";
    case FailReason::Internal:
      return "internal error";
  }
  return "unknown";
}
Endpoint::Impl::Impl(std::shared_ptr<const Certificate> certificate, EndpointConfig config,
                     time::Timestamp now)
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
  if (SSL_set_tlsext_use_srtp(ssl_.get(), profile_list(config_.srtp_profiles).c_str()) != 0)
    return false;
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

// OpenSSL 3.0 keeps a DTLS connection's record buffers (about 16.5 KB to read and 16.5 KB to
// write) for its whole life: SSL_MODE_RELEASE_BUFFERS only works for TLS, and its DTLS write path
// does not allocate a released buffer again. After the handshake most endpoints carry no records
// at all (no data channel) or a few a second (SCTP), so the buffers are held only during a call:
// allocated on entry, released when the call is done (SSL_free_buffers keeps them while a record
// is still pending). During the handshake they stay.
bool Endpoint::Impl::hold_record_buffers() noexcept {
  if (!ssl_ || state_ != EndpointState::Connected) return true;
  return SSL_alloc_buffers(ssl_.get()) == 1;
}

void Endpoint::Impl::release_record_buffers() noexcept {
  if (ssl_ && state_ != EndpointState::Handshaking && state_ != EndpointState::Idle) {
    SSL_free_buffers(ssl_.get());
  }
}

unsigned int Endpoint::Impl::on_timer(SSL* ssl, unsigned int previous_us) noexcept {
  const auto* self = static_cast<const Impl*>(SSL_get_app_data(ssl));
  if (self == nullptr) return 1'000'000;
  const auto initial = std::chrono::duration_cast<std::chrono::microseconds>(
      self->config_.initial_retransmit_timeout);
  const auto maximum =
      std::chrono::duration_cast<std::chrono::microseconds>(self->config_.max_retransmit_timeout);
  const auto clamp = [](long long us) {
    return static_cast<unsigned int>(std::clamp<long long>(us, 1, UINT_MAX / 2));
  };
  if (previous_us == 0) return clamp(initial.count());  // a new flight
  return clamp(std::min<long long>(2LL * previous_us, maximum.count()));
}

int Endpoint::Impl::on_verify(int, X509_STORE_CTX* store) noexcept {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
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
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0 || (value >> 8) != SSL3_AL_FATAL)
    return;
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
bool Endpoint::Impl::export_keys(srtp::SrtpProfile profile, srtp::KeyingMaterial& keys) {
  const std::size_t key_length = master_key_length(profile);
  const std::size_t salt_length = master_salt_length(profile);
  std::vector<std::uint8_t> material(2 * (key_length + salt_length));
  if (SSL_export_keying_material(ssl_.get(), material.data(), material.size(),
                                 kExporterLabel.data(), kExporterLabel.size(), nullptr, 0,
                                 0) != 1) {
    return false;
  }
  // client key | server key | client salt | server salt (RFC 5764 section 4.2)
  const auto* client_key = material.data();
  const auto* server_key = client_key + key_length;
  const auto* client_salt = server_key + key_length;
  const auto* server_salt = client_salt + salt_length;
  srtp::MasterKeyAndSalt client(client_key, client_key + key_length);
  client.insert(client.end(), client_salt, client_salt + salt_length);
  srtp::MasterKeyAndSalt server(server_key, server_key + key_length);
  server.insert(server.end(), server_salt, server_salt + salt_length);
  OPENSSL_cleanse(material.data(), material.size());
  if (config_.role == Role::Active) {
    keys.local = std::move(client);
    keys.remote = std::move(server);
  } else {
    keys.local = std::move(server);
    keys.remote = std::move(client);
  }
  return true;
}

}  // namespace rrtc::dtls
