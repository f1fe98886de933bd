// SHA1_Init/Update/Final are deprecated in OpenSSL 3.0 in favour of EVP; see HmacSha1 in the
// header for why this file uses them.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "srtp/crypto.hpp"

#include <openssl/crypto.h>

#include <climits>

namespace rrtc::srtp::detail {
namespace {

int int_size(std::size_t size) noexcept { return static_cast<int>(size); }

// Feeds authenticated-only data to a GCM context (a null output buffer marks it as AAD).
bool add_aad(EVP_CIPHER_CTX* ctx, ConstByteSpan aad) noexcept {
  if (aad.empty()) return true;
  int written = 0;
  return EVP_CipherUpdate(ctx, nullptr, &written, aad.data(), int_size(aad.size())) == 1;
}

bool crypt_in_place(EVP_CIPHER_CTX* ctx, ByteSpan data) noexcept {
  if (data.empty()) return true;
  if (data.size() > INT_MAX) return false;
  int written = 0;
  return EVP_CipherUpdate(ctx, data.data(), &written, data.data(), int_size(data.size())) == 1 &&
         static_cast<std::size_t>(written) == data.size();
}

EvpCipherCtxPtr keyed_cipher(const EVP_CIPHER* cipher, ConstByteSpan key, int encrypt) {
  if (key.size() != kAesKeySize) return nullptr;
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, encrypt) != 1) {
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::optional<AesGcm> AesGcm::create(ConstByteSpan key, bool encrypt) {
  auto ctx = keyed_cipher(EVP_aes_128_gcm(), key, encrypt ? 1 : 0);
  if (!ctx) return std::nullopt;
  return AesGcm(std::move(ctx));
}

bool AesGcm::start(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad,
                   ConstByteSpan aad_tail) noexcept {
  // A null cipher and key keep the expanded key; only the 96-bit IV (the default size) changes.
  return EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv.data(), -1) == 1 &&
         add_aad(ctx_.get(), aad) && add_aad(ctx_.get(), aad_tail);
}

bool AesGcm::seal(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad,
                  ConstByteSpan aad_tail, ByteSpan data,
                  std::span<std::uint8_t, kGcmTagSize> tag) noexcept {
  int written = 0;
  return start(iv, aad, aad_tail) && crypt_in_place(ctx_.get(), data) &&
         EVP_CipherFinal_ex(ctx_.get(), tag.data(), &written) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, int_size(tag.size()), tag.data()) ==
             1;
}

bool AesGcm::open(std::span<const std::uint8_t, kGcmIvSize> iv, ConstByteSpan aad,
                  ConstByteSpan aad_tail, ByteSpan data,
                  std::span<const std::uint8_t, kGcmTagSize> tag) noexcept {
  // OpenSSL takes the expected tag through a non-const pointer but only reads it.
  auto* expected = const_cast<std::uint8_t*>(tag.data());
  int written = 0;
  return start(iv, aad, aad_tail) && crypt_in_place(ctx_.get(), data) &&
         EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, int_size(tag.size()), expected) ==
             1 &&
         EVP_CipherFinal_ex(ctx_.get(), nullptr, &written) == 1;
}

std::optional<AesCtr> AesCtr::create(ConstByteSpan key) {
  auto ctx = keyed_cipher(EVP_aes_128_ctr(), key, 1);
  if (!ctx) return std::nullopt;
  return AesCtr(std::move(ctx));
}

bool AesCtr::apply(std::span<const std::uint8_t, kCtrIvSize> iv, ByteSpan data) noexcept {
  // Setting the IV also restarts the keystream at its first block.
  return EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv.data(), -1) == 1 &&
         crypt_in_place(ctx_.get(), data);
}

std::optional<HmacSha1> HmacSha1::create(ConstByteSpan key) {
  constexpr std::size_t kBlock = 64;             // SHA-1 block size
  if (key.size() > kBlock) return std::nullopt;  // SRTP keys are 20 octets
  std::array<std::uint8_t, kBlock> inner_pad{};
  std::array<std::uint8_t, kBlock> outer_pad{};
  for (std::size_t i = 0; i < kBlock; ++i) {
    const std::uint8_t k = i < key.size() ? key[i] : 0;
    inner_pad[i] = static_cast<std::uint8_t>(k ^ 0x36U);
    outer_pad[i] = static_cast<std::uint8_t>(k ^ 0x5cU);
  }
  HmacSha1 mac;
  const bool ok =
      SHA1_Init(&mac.inner_) == 1 && SHA1_Update(&mac.inner_, inner_pad.data(), kBlock) == 1 &&
      SHA1_Init(&mac.outer_) == 1 && SHA1_Update(&mac.outer_, outer_pad.data(), kBlock) == 1;
  OPENSSL_cleanse(inner_pad.data(), kBlock);
  OPENSSL_cleanse(outer_pad.data(), kBlock);
  if (!ok) return std::nullopt;
  return mac;
}

HmacSha1::~HmacSha1() {
  OPENSSL_cleanse(&inner_, sizeof(inner_));
  OPENSSL_cleanse(&outer_, sizeof(outer_));
}

bool HmacSha1::compute(ConstByteSpan first, ConstByteSpan second,
                       std::span<std::uint8_t, kSha1Size> out) noexcept {
  SHA_CTX state = inner_;
  std::array<std::uint8_t, kSha1Size> inner_digest{};
  const bool ok = SHA1_Update(&state, first.data(), first.size()) == 1 &&
                  SHA1_Update(&state, second.data(), second.size()) == 1 &&
                  SHA1_Final(inner_digest.data(), &state) == 1;
  state = outer_;
  const bool done = ok && SHA1_Update(&state, inner_digest.data(), inner_digest.size()) == 1 &&
                    SHA1_Final(out.data(), &state) == 1;
  OPENSSL_cleanse(&state, sizeof(state));
  return done;
}

}  // namespace rrtc::srtp::detail
