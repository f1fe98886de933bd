#pragma once
// SRTP protection profiles negotiated through the DTLS use_srtp extension (RFC 5764 section 4.1.2,
// RFC 7714 section 14.2) and the keying material the handshake exports for them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rrtc::srtp {

enum class SrtpProfile {
  AeadAes128Gcm,       // SRTP_AEAD_AES_128_GCM (0x0007): 16-byte key, 12-byte salt, 16-byte tag
  AesCm128HmacSha1_80  // SRTP_AES128_CM_SHA1_80 (0x0001): 16-byte key, 14-byte salt, 10-byte tag
};

// Lengths per RFC 5764 section 4.1.2 and RFC 7714 section 12.
constexpr std::size_t master_key_length(SrtpProfile) noexcept { return 16; }
constexpr std::size_t master_salt_length(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::AeadAes128Gcm ? 12 : 14;
}

// The name OpenSSL's SSL_set_tlsext_use_srtp() takes, e.g. "SRTP_AEAD_AES_128_GCM".
std::string_view openssl_name(SrtpProfile profile) noexcept;
// The RFC 5764 / RFC 7714 protection profile identifier.
std::uint16_t profile_id(SrtpProfile profile) noexcept;
std::optional<SrtpProfile> profile_from_id(std::uint16_t id) noexcept;

// One direction's SRTP master key followed by its master salt (key || salt), as SrtpSession
// takes it (and libsrtp2's srtp_policy_t.key, the reference the tests compare against).
using MasterKeyAndSalt = std::vector<std::uint8_t>;

// What the DTLS handshake exported, already split per role: `local` protects what this endpoint
// sends, `remote` unprotects what it receives. The exporter output is laid out
// client key | server key | client salt | server salt (RFC 5764 section 4.2).
struct KeyingMaterial {
  SrtpProfile profile = SrtpProfile::AeadAes128Gcm;
  MasterKeyAndSalt local;
  MasterKeyAndSalt remote;
};

}  // namespace rrtc::srtp
