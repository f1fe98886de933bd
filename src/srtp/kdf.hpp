#pragma once
// SRTP key derivation (RFC 3711 section 4.3) with the AES-CM PRF and a key derivation rate of 0,
// as DTLS-SRTP uses it (RFC 5764 section 4.2): each session key, auth key and salt is the AES-CM
// keystream of the master key, started at IV = (master salt XOR label << 48) * 2^16.
// The AEAD profiles (RFC 7714 section 11) use the same PRF with their 96-bit master salt; like
// libsrtp2 we extend it with two zero octets to the 112 bits the PRF takes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::srtp::detail {

// RFC 3711 section 4.3.1 labels.
enum class SrtpKdfLabel : std::uint8_t {
  RtpCipher = 0,
  RtpAuth = 1,
  RtpSalt = 2,
  RtcpCipher = 3,
  RtcpAuth = 4,
  RtcpSalt = 5,
};

constexpr std::size_t kSrtpMasterKeySize = 16;
constexpr std::size_t kSrtpMaxSaltSize = 14;  // 112-bit salt of AES-CM; the AEAD salt is 96 bits

// Writes the PRF output for `label` into `out` (any length). False on a bad key/salt length or
// an OpenSSL failure.
bool srtp_kdf(std::span<const std::uint8_t> master_key, std::span<const std::uint8_t> master_salt,
              SrtpKdfLabel label, std::span<std::uint8_t> out);

// One direction's session keys for RTP or RTCP; `salt` holds salt_size significant octets.
struct SrtpSessionKeys {
  std::array<std::uint8_t, 16> cipher{};
  std::array<std::uint8_t, 20> auth{};  // HMAC-SHA1 key; unused by the AEAD profile
  std::array<std::uint8_t, kSrtpMaxSaltSize> salt{};
};

// Derives the three keys for RTP (`rtcp` false) or RTCP; salt_size is 14 (AES-CM) or 12 (GCM).
std::optional<SrtpSessionKeys> derive_session_keys(std::span<const std::uint8_t> master_key,
                                                   std::span<const std::uint8_t> master_salt,
                                                   bool rtcp, std::size_t salt_size);

}  // namespace rrtc::srtp::detail
