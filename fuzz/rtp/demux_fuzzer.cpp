// libFuzzer target rtp_demux: RFC 7983 classification of arbitrary datagrams, checked against
// the ranges of the RFC.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtp/demux.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using rrtc::rtp::PacketKind;
  const auto kind = rrtc::rtp::classify(std::span<const std::uint8_t>(data, size));
  PacketKind expected = PacketKind::kUnknown;
  if (size > 0) {
    const unsigned first = data[0];
    if (first <= 3) {
      expected = PacketKind::kStun;
    } else if (first >= 20 && first <= 63) {
      expected = PacketKind::kDtls;
    } else if (first >= 128 && first <= 191 && size >= 2) {
      expected = data[1] >= 192 && data[1] <= 223 ? PacketKind::kRtcp : PacketKind::kRtp;
    }
  }
  if (kind != expected) std::abort();
  return rrtc::rtp::to_string(kind)[0] == '\0';
}
