#pragma once
// The three OpenSSL primitives SRTP needs, keyed once per session key and reused per packet
// (internal to src/dtls). Keying at creation is what makes the per-packet cost only the AES-NI /
// SHA work: each call below changes the IV (or restarts the MAC from its keyed state) and runs.
//
// Threading: each object belongs to the thread of the SrtpSession that holds it.

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>


namespace rrtc::srtp::detail {

struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;

using ByteSpan = std::span<std::uint8_t>;
using ConstByteSpan = std::span<const std::uint8_t>;

constexpr std::size_t kAesKeySize = 16;
constexpr std::size_t kGcmIvSize = 12;
constexpr std::size_t kGcmTagSize = 16;
constexpr std::size_t kCtrIvSize = 16;
constexpr std::size_t kSha1Size = 20;

// AES-128-GCM in one direction (encrypt for outbound, decrypt for inbound).
class AesGcm {
 public:
  // Empty on an OpenSSL failure.
  static std::optional<AesGcm> create(ConstByteSpan key, bool encrypt);

  // Encrypts `data` in place; writes the tag. `aad` is authenticated in two pieces (SRTCP adds
  // its E+index word to the header).
  bool seal(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad, ConstByteSpan aad_tail,
            ByteSpan data, std::span<std::uint8_t, kGcmTagSize> tag) noexcept;
  // Decrypts `data` in place; false when the tag does not match (data is then garbage).
  bool open(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad, ConstByteSpan aad_tail,
            ByteSpan data, std::span<const std::uint8_t, kGcmTagSize> tag) noexcept;

 private:
  explicit AesGcm(EvpCipherCtxPtr ctx) noexcept : ctx_(std::move(ctx)) {}
  bool start(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad,
             ConstByteSpan aad_tail) noexcept;

  EvpCipherCtxPtr ctx_;
};

// AES-128 in counter mode: encryption and decryption are the same keystream XOR.
class AesCtr {
 public:
  static std::optional<AesCtr> create(ConstByteSpan key);

  bool apply(std::span<const std::uint8_t, kCtrIvSize> iv, ByteSpan data) noexcept;

 private:
  explicit AesCtr(EvpCipherCtxPtr ctx) noexcept : ctx_(std::move(ctx)) {}

  EvpCipherCtxPtr ctx_;
};

// HMAC-SHA1 (RFC 2104) keyed once: the SHA-1 states after the key's inner and outer pad blocks
// are kept, and each compute() starts from copies of them. EVP_MAC would restart from its keyed
// state too, but in OpenSSL 3.0 that copies digest contexts through the provider, a malloc and
// free per packet and about twice the time for small packets (bench_dtls_srtp). SHA1_Update is
// the same SHA-NI / AVX2 code the provider runs.
class HmacSha1 {
 public:
  static std::optional<HmacSha1> create(ConstByteSpan key);

  ~HmacSha1();
  HmacSha1(const HmacSha1&) = default;
  HmacSha1& operator=(const HmacSha1&) = default;

  // MAC over `first` then `second`.
  bool compute(ConstByteSpan first, ConstByteSpan second,
               std::span<std::uint8_t, kSha1Size> out) noexcept;

 private:
  HmacSha1() = default;

  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

}  // namespace rrtc::srtp::detail
