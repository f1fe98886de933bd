#include "srtp/transform.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "srtp/kdf.hpp"

namespace rrtc::srtp::detail {
namespace {

void put_be32(std::uint8_t* out, std::uint32_t value) noexcept {
  out[0] = static_cast<std::uint8_t>(value >> 24);
  out[1] = static_cast<std::uint8_t>(value >> 16);
  out[2] = static_cast<std::uint8_t>(value >> 8);
  out[3] = static_cast<std::uint8_t>(value);
}

// Both IV layouts are salt XOR (SSRC, then the 48-bit index right after it): AES-CM puts the
// SSRC at octet 4 of a 16-octet IV (RFC 3711 section 4.1.1: k_s * 2^16 ^ SSRC * 2^64 ^ i * 2^16),
// GCM at octet 2 of a 12-octet IV (RFC 7714 sections 8.1 and 9.1; for SRTCP the "index" is the
// 31-bit SRTCP index with two zero octets above it).
template <std::size_t Size>
std::array<std::uint8_t, Size> make_iv(const std::array<std::uint8_t, 14>& salt,
                                       std::size_t salt_size, std::size_t ssrc_at,
                                       std::uint32_t ssrc, std::uint64_t index) noexcept {
  std::array<std::uint8_t, Size> iv{};
  for (std::size_t i = 0; i < salt_size; ++i) iv[i] = salt[i];
  for (std::size_t i = 0; i < 4; ++i)
    iv[ssrc_at + i] ^= static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  for (std::size_t i = 0; i < 6; ++i) {
    iv[ssrc_at + 4 + i] ^= static_cast<std::uint8_t>(index >> (40 - 8 * i));
  }
  return iv;
}

std::array<std::uint8_t, kCtrIvSize> ctr_iv(const std::array<std::uint8_t, 14>& salt,
                                            std::uint32_t ssrc, std::uint64_t index) noexcept {
  return make_iv<kCtrIvSize>(salt, 14, 4, ssrc, index);
}

std::array<std::uint8_t, kGcmIvSize> gcm_iv(const std::array<std::uint8_t, 14>& salt,
                                            std::uint32_t ssrc, std::uint64_t index) noexcept {
  return make_iv<kGcmIvSize>(salt, kGcmIvSize, 2, ssrc, index);
}

// Full HMAC-SHA1 over `covered` || `tail` compared in constant time with its first 10 octets.
bool check_tag(HmacSha1& mac, ConstByteSpan covered, ConstByteSpan tail,
               ConstByteSpan tag) noexcept {
  std::array<std::uint8_t, kSha1Size> expected{};
  return mac.compute(covered, tail, expected) &&
         CRYPTO_memcmp(expected.data(), tag.data(), tag.size()) == 0;
}

}  // namespace

std::optional<SrtpTransform::Keyed> SrtpTransform::key(SrtpProfile profile, ConstByteSpan master,
                                                       bool rtcp, bool encrypt) {
  const bool gcm = profile == SrtpProfile::AeadAes128Gcm;
  const std::size_t salt_size = master_salt_length(profile);
  auto keys =
      derive_session_keys(master.first(master_key_length(profile)),
                          master.subspan(master_key_length(profile), salt_size), rtcp, salt_size);
  if (!keys) return std::nullopt;
  Keyed keyed;
  keyed.salt = keys->salt;
  if (gcm) {
    keyed.gcm = AesGcm::create(keys->cipher, encrypt);
  } else {
    keyed.ctr = AesCtr::create(keys->cipher);
    keyed.mac = HmacSha1::create(keys->auth);
  }
  OPENSSL_cleanse(&*keys, sizeof(*keys));
  if (gcm ? !keyed.gcm : !keyed.ctr || !keyed.mac) return std::nullopt;
  return keyed;
}

std::optional<SrtpTransform> SrtpTransform::create(SrtpProfile profile, ConstByteSpan master,
                                                   bool encrypt) {
  auto rtp = key(profile, master, false, encrypt);
  auto rtcp = key(profile, master, true, encrypt);
  if (!rtp || !rtcp) return std::nullopt;
  return SrtpTransform(profile == SrtpProfile::AeadAes128Gcm, std::move(*rtp), std::move(*rtcp));
}

bool SrtpTransform::protect_rtp(ByteSpan buffer, std::size_t header_size, std::size_t length,
                                std::uint32_t ssrc, std::uint64_t index) noexcept {
  const auto header = buffer.first(header_size);
  const auto payload = buffer.subspan(header_size, length - header_size);
  if (gcm_) {
    return rtp_.gcm->seal(gcm_iv(rtp_.salt, ssrc, index), header, {}, payload,
                          buffer.subspan(length).first<kGcmTagSize>());
  }
  std::array<std::uint8_t, 4> roc{};
  put_be32(roc.data(), static_cast<std::uint32_t>(index >> 16));
  std::array<std::uint8_t, kSha1Size> mac{};
  if (!rtp_.ctr->apply(ctr_iv(rtp_.salt, ssrc, index), payload) ||
      !rtp_.mac->compute(buffer.first(length), roc, mac)) {
    return false;
  }
  std::copy_n(mac.begin(), kSha1TagSize, buffer.begin() + static_cast<std::ptrdiff_t>(length));
  return true;
}

bool SrtpTransform::unprotect_rtp(ByteSpan packet, std::size_t header_size, std::uint32_t ssrc,
                                  std::uint64_t index) noexcept {
  const std::size_t body = packet.size() - rtp_tag_size();
  const auto header = packet.first(header_size);
  const auto payload = packet.subspan(header_size, body - header_size);
  if (gcm_) {
    return rtp_.gcm->open(gcm_iv(rtp_.salt, ssrc, index), header, {}, payload,
                          packet.subspan(body).first<kGcmTagSize>());
  }
  std::array<std::uint8_t, 4> roc{};
  put_be32(roc.data(), static_cast<std::uint32_t>(index >> 16));
  return check_tag(*rtp_.mac, packet.first(body), roc, packet.subspan(body)) &&
         rtp_.ctr->apply(ctr_iv(rtp_.salt, ssrc, index), payload);
}

bool SrtpTransform::protect_rtcp(ByteSpan buffer, std::size_t length, std::uint32_t ssrc,
                                 std::uint32_t index) noexcept {
  constexpr std::size_t kHeader = 8;  // RFC 3711 section 3.4: header and sender SSRC stay clear
  std::array<std::uint8_t, kSrtcpIndexSize> word{};
  put_be32(word.data(), 0x80000000U | index);  // E = 1: the payload is encrypted
  const auto payload = buffer.subspan(kHeader, length - kHeader);
  if (gcm_) {
    // RFC 7714 section 9: ciphertext, tag, then the E+index word (authenticated as AAD).
    if (!rtcp_.gcm->seal(gcm_iv(rtcp_.salt, ssrc, index), buffer.first(kHeader), word, payload,
                         buffer.subspan(length).first<kGcmTagSize>())) {
      return false;
    }
    std::copy(word.begin(), word.end(),
              buffer.begin() + static_cast<std::ptrdiff_t>(length + kGcmTagSize));
    return true;
  }
  // RFC 3711 section 3.4: ciphertext, E+index word, then the tag over everything before it.
  if (!rtcp_.ctr->apply(ctr_iv(rtcp_.salt, ssrc, index), payload)) return false;
  std::copy(word.begin(), word.end(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
  std::array<std::uint8_t, kSha1Size> mac{};
  if (!rtcp_.mac->compute(buffer.first(length + kSrtcpIndexSize), {}, mac)) return false;
  std::copy_n(mac.begin(), kSha1TagSize,
              buffer.begin() + static_cast<std::ptrdiff_t>(length + kSrtcpIndexSize));
  return true;
}

bool SrtpTransform::unprotect_rtcp(ByteSpan packet, std::uint32_t ssrc, std::uint32_t index,
                                   bool encrypted) noexcept {
  constexpr std::size_t kHeader = 8;
  const std::size_t word_at = srtcp_index_offset(packet.size());
  const auto word = packet.subspan(word_at, kSrtcpIndexSize);
  if (gcm_) {
    const std::size_t body = packet.size() - rtcp_overhead();
    const auto tag = packet.subspan(body).first<kGcmTagSize>();
    const auto iv = gcm_iv(rtcp_.salt, ssrc, index);
    // E = 0 (RFC 7714 section 9.2): nothing is encrypted and the whole packet is AAD.
    if (!encrypted) return rtcp_.gcm->open(iv, packet.first(body), word, {}, tag);
    return rtcp_.gcm->open(iv, packet.first(kHeader), word, packet.subspan(kHeader, body - kHeader),
                           tag);
  }
  if (!check_tag(*rtcp_.mac, packet.first(word_at + kSrtcpIndexSize), {},
                 packet.subspan(word_at + kSrtcpIndexSize))) {
    return false;
  }
  return !encrypted || rtcp_.ctr->apply(ctr_iv(rtcp_.salt, ssrc, index),
                                        packet.subspan(kHeader, word_at - kHeader));
}

}  // namespace rrtc::srtp::detail
