#include "rtp/demux.hpp"

namespace rrtc::rtp {

PacketKind classify(std::span<const std::uint8_t> datagram) noexcept {
  if (datagram.empty()) return PacketKind::kUnknown;
  const std::uint8_t first = datagram[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 128 && first <= 191) {
    // Both RTP and RTCP need at least their fixed header's second byte to be told apart.
    if (datagram.size() < 2) return PacketKind::kUnknown;
    const std::uint8_t second = datagram[1];
    if (second >= 192 && second <= 223) return PacketKind::kRtcp;
    return PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

const char* to_string(PacketKind kind) noexcept {
  switch (kind) {
    case PacketKind::kStun:
      return "stun";
    case PacketKind::kDtls:
      return "dtls";
    case PacketKind::kRtp:
      return "rtp";
    case PacketKind::kRtcp:
      return "rtcp";
    case PacketKind::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace rrtc::rtp
