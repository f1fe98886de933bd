#include "srtp/kdf.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "srtp/crypto.hpp"

namespace rrtc::srtp::detail {

bool srtp_kdf(std::span<const std::uint8_t> master_key, std::span<const std::uint8_t> master_salt,
              SrtpKdfLabel label, std::span<std::uint8_t> out) {
  if (master_key.size() != kSrtpMasterKeySize || master_salt.size() > kSrtpMaxSaltSize) {
    return false;
  }
  auto ctr = AesCtr::create(master_key);
  if (!ctr) return false;
  // x = key_id XOR master_salt with key_id = label || r (r = 0 at rate 0), right-aligned in the
  // 112-bit salt: the label lands on octet 7. The last two IV octets are the block counter.
  std::array<std::uint8_t, kCtrIvSize> iv{};
  std::copy(master_salt.begin(), master_salt.end(), iv.begin());
  iv[7] ^= static_cast<std::uint8_t>(label);
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  return ctr->apply(iv, out);
}

std::optional<SrtpSessionKeys> derive_session_keys(std::span<const std::uint8_t> master_key,
                                                   std::span<const std::uint8_t> master_salt,
                                                   bool rtcp, std::size_t salt_size) {
  if (salt_size > kSrtpMaxSaltSize) return std::nullopt;
  const auto base =
      static_cast<std::uint8_t>(rtcp ? SrtpKdfLabel::RtcpCipher : SrtpKdfLabel::RtpCipher);
  SrtpSessionKeys keys;
  const bool ok =
      srtp_kdf(master_key, master_salt, static_cast<SrtpKdfLabel>(base), keys.cipher) &&
      srtp_kdf(master_key, master_salt, static_cast<SrtpKdfLabel>(base + 1), keys.auth) &&
      srtp_kdf(master_key, master_salt, static_cast<SrtpKdfLabel>(base + 2),
               std::span(keys.salt).first(salt_size));
  if (!ok) {
    OPENSSL_cleanse(&keys, sizeof(keys));
    return std::nullopt;
  }
  return keys;
}

}  // namespace rrtc::srtp::detail
