#pragma once
// The per-packet SRTP/SRTCP cryptographic transforms of one direction, given the packet index
// (internal to src/dtls; SrtpContext finds the index and owns replay state):
//   AES_CM_128_HMAC_SHA1_80  RFC 3711 sections 4.1.1 (IV), 4.2 (HMAC over packet || ROC), 3.4
//   AEAD_AES_128_GCM         RFC 7714 sections 8 (SRTP: IV, AAD = whole RTP header) and 9
//                            (SRTCP: AAD = first 8 octets || E+index word)
// Protection writes the trailer right after the plaintext; unprotection authenticates first
// and decrypts in place (GCM does both in one pass and rejects on tag mismatch).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "srtp/crypto.hpp"
#include "srtp/profile.hpp"

namespace rrtc::srtp::detail {

class SrtpTransform {
 public:
  // `master` is key || salt, already checked against the profile's lengths. `encrypt` chooses
  // the direction the AEAD contexts are set up for.
  static std::optional<SrtpTransform> create(SrtpProfile profile, ConstByteSpan master,
                                             bool encrypt);

  std::size_t rtp_tag_size() const noexcept { return gcm_ ? kGcmTagSize : kSha1TagSize; }
  std::size_t rtcp_overhead() const noexcept { return rtp_tag_size() + kSrtcpIndexSize; }
  // Where the E+SRTCP index word sits in a protected packet of `length` octets.
  std::size_t srtcp_index_offset(std::size_t length) const noexcept {
    return gcm_ ? length - kSrtcpIndexSize : length - kSha1TagSize - kSrtcpIndexSize;
  }

  // `buffer` holds the plaintext RTP packet in [0, length) and room for the tag after it.
  bool protect_rtp(ByteSpan buffer, std::size_t header_size, std::size_t length, std::uint32_t ssrc,
                   std::uint64_t index) noexcept;
  // `packet` is the whole SRTP packet, tag included.
  bool unprotect_rtp(ByteSpan packet, std::size_t header_size, std::uint32_t ssrc,
                     std::uint64_t index) noexcept;
  // Appends E=1 and `index`, and the tag; `buffer` has room for rtcp_overhead() after `length`.
  bool protect_rtcp(ByteSpan buffer, std::size_t length, std::uint32_t ssrc,
                    std::uint32_t index) noexcept;
  // `packet` is the whole SRTCP packet; `encrypted` is its E flag.
  bool unprotect_rtcp(ByteSpan packet, std::uint32_t ssrc, std::uint32_t index,
                      bool encrypted) noexcept;

  static constexpr std::size_t kSha1TagSize = 10;  // HMAC-SHA1 truncated to 80 bits
  static constexpr std::size_t kSrtcpIndexSize = 4;

 private:
  // One of RTP / RTCP: either GCM, or counter mode plus HMAC.
  struct Keyed {
    std::optional<AesGcm> gcm;
    std::optional<AesCtr> ctr;
    std::optional<HmacSha1> mac;
    std::array<std::uint8_t, 14> salt{};
  };

  static std::optional<Keyed> key(SrtpProfile profile, ConstByteSpan master, bool rtcp,
                                  bool encrypt);

  SrtpTransform(bool gcm, Keyed rtp, Keyed rtcp) noexcept
      : gcm_(gcm), rtp_(std::move(rtp)), rtcp_(std::move(rtcp)) {}

  bool gcm_;
  Keyed rtp_;
  Keyed rtcp_;
};

}  // namespace rrtc::srtp::detail
