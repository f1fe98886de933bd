#include "srtp/profile.hpp"

namespace rrtc::srtp {

// Identifiers from RFC 5764 section 4.1.2 and RFC 7714 section 14.2.
constexpr std::uint16_t kAes128CmSha1Id = 0x0001;
constexpr std::uint16_t kAeadAes128GcmId = 0x0007;

std::string_view openssl_name(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}

std::uint16_t profile_id(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::AeadAes128Gcm ? kAeadAes128GcmId : kAes128CmSha1Id;
}

std::optional<SrtpProfile> profile_from_id(std::uint16_t id) noexcept {
  switch (id) {
    case kAeadAes128GcmId:
      return SrtpProfile::AeadAes128Gcm;
    case kAes128CmSha1Id:
      return SrtpProfile::AesCm128HmacSha1_80;
    default:
      return std::nullopt;
  }
}

}  // namespace rrtc::srtp
