#pragma once
// A cheap structural check of DTLS records before OpenSSL sees them (internal to src/dtls).
//
// RFC 6347 section 4.1 record layer:
//
//   struct {
//     ContentType type;                  // 1 byte
//     ProtocolVersion version;           // 2 bytes
//     uint16 epoch;                      // 2 bytes
//     uint48 sequence_number;            // 6 bytes
//     uint16 length;                     // 2 bytes
//     opaque fragment[DTLSCiphertext.length];
//   } DTLSCiphertext;
//
// OpenSSL 3.0 breaks the whole session (SSL_ERROR_SYSCALL, later writes fail) on an encrypted
// record too short to hold the AEAD nonce and tag, where RFC 6347 section 4.1.2.7 says invalid
// records are discarded. Such datagrams are dropped here instead.

#include <cstddef>
#include <cstdint>
#include <span>

namespace rrtc::dtls::detail {

constexpr std::size_t kRecordHeaderSize = 13;

// True if `datagram` is a sequence of whole records, and every record of a nonzero epoch has at
// least `min_encrypted_length` bytes of fragment.
inline bool records_well_formed(std::span<const std::uint8_t> datagram,
                                std::size_t min_encrypted_length) noexcept {
  if (datagram.empty()) return false;
  while (!datagram.empty()) {
    if (datagram.size() < kRecordHeaderSize) return false;
    const unsigned epoch = (unsigned{datagram[3]} << 8) | datagram[4];
    const std::size_t length = (std::size_t{datagram[11]} << 8) | datagram[12];
    if (length > datagram.size() - kRecordHeaderSize) return false;
    if (epoch != 0 && length < min_encrypted_length) return false;
    datagram = datagram.subspan(kRecordHeaderSize + length);
  }
  return true;
}

}  // namespace rrtc::dtls::detail
