#pragma once
// The process's DTLS identity: one self-signed ECDSA P-256 certificate and key, plus the OpenSSL
// SSL_CTX every Endpoint using it is created from. Its SHA-256 fingerprint goes into every SDP.
//
// Thread safety: a Certificate is immutable once generated and may be shared by every worker
// (SSL_new from one SSL_CTX is thread-safe). shared() creates the process-wide instance once.

#include <memory>
#include <string>

#include "dtls/fingerprint.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace rrtc::dtls {

class Certificate {
 public:
  // Generates a fresh key pair and certificate (random serial, valid from 30 days ago to one year
  // ahead). Start-up code: throws std::runtime_error if OpenSSL fails.
  static std::shared_ptr<const Certificate> generate();
  // The process-wide certificate, generated on first use (thread-safe).
  static std::shared_ptr<const Certificate> shared();

  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  // The SHA-256 fingerprint, computed once.
  const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
  // The fingerprint with another hash function (sha-1 .. sha-512, RFC 8122).
  Fingerprint fingerprint(HashAlgorithm algorithm) const;
  // "AB:CD:..." (uppercase hex, colon separated), the value of a=fingerprint:sha-256.
  std::string fingerprint_sha256() const { return fingerprint_.value(); }
  // The certificate in PEM, for logs and diagnostics.
  std::string pem() const;

  // The DTLS 1.2 context holding this certificate and key, for Endpoint.
  ssl_ctx_st* native_context() const noexcept;

 private:
  struct Native;
  explicit Certificate(std::unique_ptr<Native> native);

  std::unique_ptr<Native> native_;
  Fingerprint fingerprint_;
};

}  // namespace rrtc::dtls
