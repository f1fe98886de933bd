#include "sctp/packet_check.hpp"

#include <cstddef>

namespace rrtc::sctp {
namespace {

constexpr std::size_t kCommonHeader = 12;
constexpr std::size_t kChunkHeader = 4;
constexpr std::size_t kInitFixed = 20;  // chunk header + tag, a_rwnd, streams, initial TSN
constexpr std::uint8_t kInit = 1;
constexpr std::uint8_t kInitAck = 2;

std::size_t read16(const std::uint8_t* p) noexcept {
  return (std::size_t{p[0]} << 8) | std::size_t{p[1]};
}

std::size_t pad4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

// Parameters (type, length, value, padding) filling `body` exactly, each at least a header.
bool well_formed_parameters(std::span<const std::uint8_t> body) noexcept {
  std::size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < kChunkHeader) return false;
    const std::size_t length = read16(body.data() + at + 2);
    if (length < kChunkHeader || length > body.size() - at) return false;
    at += pad4(length);
  }
  return true;
}

}  // namespace

bool well_formed_packet(std::span<const std::uint8_t> packet) noexcept {
  if (packet.size() < kCommonHeader + kChunkHeader) return false;
  std::size_t at = kCommonHeader;
  while (at < packet.size()) {
    if (packet.size() - at < kChunkHeader) return false;
    const std::uint8_t type = packet[at];
    const std::size_t length = read16(packet.data() + at + 2);
    if (length < kChunkHeader || length > packet.size() - at) return false;
    if (type == kInit || type == kInitAck) {
      if (length < kInitFixed) return false;
      if (!well_formed_parameters(packet.subspan(at + kInitFixed, length - kInitFixed))) {
        return false;
      }
    }
    at += pad4(length);
  }
  return true;
}

}  // namespace rrtc::sctp
