#pragma once
// unique_ptr aliases for the OpenSSL objects the dtls layer owns (internal to src/dtls).

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace rrtc::dtls::detail {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<&X509_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<&SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<&SSL_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free_all>>;

}  // namespace rrtc::dtls::detail
