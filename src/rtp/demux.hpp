// RFC 7983 section 7 demultiplexing of one UDP payload by its first byte.
//
//                  +----------------+
//                  |        [0..3] -+--> forward to STUN
//                  |                |
//                  |      [16..19] -+--> forward to ZRTP   (not used: Unknown)
//      packet -->  |                |
//                  |      [20..63] -+--> forward to DTLS
//                  |                |
//                  |      [64..79] -+--> forward to TURN Channel (not used: Unknown)
//                  |                |
//                  |    [128..191] -+--> forward to RTP/RTCP
//                  +----------------+
//
// RTP and RTCP share 128..191; RTCP is told apart by its second byte, the packet type,
// being 192..223 (RFC 5761 section 4: RTP payload types 64..95 are then not usable).
#pragma once

#include <cstdint>
#include <span>

namespace rrtc::rtp {

enum class PacketKind : std::uint8_t { kUnknown, kStun, kDtls, kRtp, kRtcp };

// Pure and total: any span, empty included, yields a kind.
PacketKind classify(std::span<const std::uint8_t> datagram) noexcept;

const char* to_string(PacketKind kind) noexcept;

}  // namespace rrtc::rtp
