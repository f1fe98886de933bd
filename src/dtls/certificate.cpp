#include "dtls/certificate.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <stdexcept>

#include "dtls/openssl_ptr.hpp"

namespace rrtc::dtls {

using detail::BignumPtr;
using detail::BioPtr;
using detail::EvpPkeyPtr;
using detail::SslCtxPtr;
using detail::X509Ptr;

namespace {

constexpr long kSecondsPerDay = 24L * 60 * 60;
constexpr long kValidBefore = 30 * kSecondsPerDay;
constexpr long kValidAfter = 365 * kSecondsPerDay;

// Only ECDHE with AEAD ciphers: what browsers offer, and our key is ECDSA. The RSA suites let the
// active role talk to peers whose certificate is RSA.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

[[noreturn]] void fail(const char* what) {
  std::array<char, 256> buffer{};
  ERR_error_string_n(ERR_get_error(), buffer.data(), buffer.size());
  ERR_clear_error();
  throw std::runtime_error(std::string("dtls certificate: ") + what + ": " + buffer.data());
}

X509Ptr make_self_signed(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("X509_set_version");
  // A random positive 64-bit serial, so two processes never present the same issuer+serial.
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    fail("serial");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kValidBefore) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidAfter) == nullptr) {
    fail("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("rrtc"), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    fail("name");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) fail("X509_set_pubkey");
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) fail("X509_sign");
  return cert;
}

SslCtxPtr make_context(X509* cert, EVP_PKEY* key) {
  SslCtxPtr ctx(SSL_CTX_new(DTLS_method()));
  if (!ctx) fail("SSL_CTX_new");
  if (SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), DTLS1_2_VERSION) != 1) {
    fail("protocol version");
  }
  if (SSL_CTX_use_certificate(ctx.get(), cert) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    fail("certificate or key");
  }
  if (SSL_CTX_set_cipher_list(ctx.get(), kCipherList) != 1) fail("cipher list");
  if (SSL_CTX_set1_groups_list(ctx.get(), "X25519:P-256") != 1) fail("groups");
  // DTLS-SRTP sessions are never resumed: each PeerConnection does a full handshake.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  return ctx;
}

}  // namespace

struct Certificate::Native {
  EvpPkeyPtr key;
  X509Ptr cert;
  SslCtxPtr ctx;
};

Certificate::Certificate(std::unique_ptr<Native> native) : native_(std::move(native)) {
  auto fingerprint = Fingerprint::of(*native_->cert, HashAlgorithm::Sha256);
  if (!fingerprint) fail("X509_digest");
  fingerprint_ = std::move(*fingerprint);
}

Certificate::~Certificate() = default;

std::shared_ptr<const Certificate> Certificate::generate() {
  auto native = std::make_unique<Native>();
  native->key.reset(EVP_EC_gen("P-256"));
  if (!native->key) fail("EVP_EC_gen");
  native->cert = make_self_signed(native->key.get());
  native->ctx = make_context(native->cert.get(), native->key.get());
  return std::shared_ptr<const Certificate>(new Certificate(std::move(native)));
}

std::shared_ptr<const Certificate> Certificate::shared() {
  // A function-local static is initialised exactly once even with concurrent callers.
  static const std::shared_ptr<const Certificate> instance = generate();
  return instance;
}

Fingerprint Certificate::fingerprint(HashAlgorithm algorithm) const {
  auto result = Fingerprint::of(*native_->cert, algorithm);
  if (!result) fail("X509_digest");
  return std::move(*result);
}

std::string Certificate::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), native_->cert.get()) != 1) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

ssl_ctx_st* Certificate::native_context() const noexcept { return native_->ctx.get(); }

}  // namespace rrtc::dtls
