// RFC 4585 section 6.1, the common format of feedback messages (RTPFB 205, PSFB 206):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|   FMT   |       PT      |          length               |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of packet sender                        |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                  SSRC of media source                         |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    :            Feedback Control Information (FCI)                 :
#pragma once

#include <cstdint>

#include "rtcp/byte_io.hpp"
#include "rtcp/header.hpp"

namespace rrtc::rtcp {

// Feedback message types (FMT) this layer understands.
inline constexpr std::uint8_t kFmtNack = 1;          // RTPFB, RFC 4585 6.2.1
inline constexpr std::uint8_t kFmtTransportCc = 15;  // RTPFB, draft-holmer-rmcat-transport-wide-cc
inline constexpr std::uint8_t kFmtPli = 1;           // PSFB, RFC 4585 6.3.1
inline constexpr std::uint8_t kFmtFir = 4;           // PSFB, RFC 5104 4.3.1
inline constexpr std::uint8_t kFmtAfb = 15;          // PSFB application layer (REMB)

inline bool is_feedback(const RawPacket& raw, PacketType type, std::uint8_t fmt) {
  return raw.header.type == static_cast<std::uint8_t>(type) && raw.header.count == fmt;
}

inline void write_feedback_header(std::uint8_t* p, PacketType type, std::uint8_t fmt,
                                  std::size_t size, std::uint32_t sender_ssrc,
                                  std::uint32_t media_ssrc) {
  write_header(p, fmt, static_cast<std::uint8_t>(type), size);
  store_be32(p + 4, sender_ssrc);
  store_be32(p + 8, media_ssrc);
}

}  // namespace rrtc::rtcp
