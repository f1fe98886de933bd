#pragma once
// RTP and RTCP packets for the SRTP tests, built field by field (RFC 3550 sections 5.1, 5.3.1,
// 6.4; RFC 8285 one-byte and two-byte header extensions).

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "srtp/profile.hpp"

namespace rrtc::srtp::testing {

// The name of a profile in parameterised test names.
inline std::string profile_name(SrtpProfile profile) {
  return profile == SrtpProfile::AeadAes128Gcm ? "Gcm" : "CmSha1";
}

inline std::vector<std::uint8_t> master_for(SrtpProfile profile, std::uint8_t seed) {
  std::vector<std::uint8_t> master(master_key_length(profile) + master_salt_length(profile));
  std::iota(master.begin(), master.end(), seed);
  return master;
}

enum class Extension { None, OneByte, TwoByte };

struct RtpShape {
  std::size_t csrcs = 0;
  Extension extension = Extension::None;
  std::size_t padding = 0;  // octets of RTP padding (P bit), the last one holding the count
  std::size_t payload = 100;
};

inline void push_be32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

inline std::vector<std::uint8_t> rtp(std::uint32_t ssrc, std::uint16_t sequence,
                                     const RtpShape& shape = {}) {
  std::vector<std::uint8_t> packet;
  const bool extended = shape.extension != Extension::None;
  packet.push_back(static_cast<std::uint8_t>(0x80 | (shape.padding > 0 ? 0x20 : 0) |
                                             (extended ? 0x10 : 0) | (shape.csrcs & 0x0f)));
  packet.push_back(96);
  packet.push_back(static_cast<std::uint8_t>(sequence >> 8));
  packet.push_back(static_cast<std::uint8_t>(sequence));
  push_be32(packet, 90000U * sequence);
  push_be32(packet, ssrc);
  for (std::size_t i = 0; i < shape.csrcs; ++i)
    push_be32(packet, 0xc0000000U + static_cast<std::uint32_t>(i));
  if (shape.extension == Extension::OneByte) {
    // 0xBEDE, 2 words: abs-send-time (id 3, 3 octets) and audio level (id 1, 1 octet) + padding.
    packet.insert(packet.end(), {0xbe, 0xde, 0, 2, 0x32, 0x12, 0x34, 0x56, 0x10, 0x7f, 0, 0});
  } else if (shape.extension == Extension::TwoByte) {
    // 0x100 + appbits, 2 words: id 5 with 5 octets, then padding.
    packet.insert(packet.end(), {0x10, 0x00, 0, 2, 5, 5, 1, 2, 3, 4, 5, 0});
  }
  for (std::size_t i = 0; i < shape.payload; ++i) {
    packet.push_back(static_cast<std::uint8_t>(i * 31 + sequence));
  }
  for (std::size_t i = 1; i < shape.padding; ++i) packet.push_back(0);
  if (shape.padding > 0) packet.push_back(static_cast<std::uint8_t>(shape.padding));
  return packet;
}

// A compound RTCP packet from `ssrc`: a sender report with one report block, an SDES CNAME and
// a generic NACK (RFC 4585 section 6.2.1), each with a correct length field.
inline std::vector<std::uint8_t> rtcp_compound(std::uint32_t ssrc, std::uint32_t count) {
  std::vector<std::uint8_t> packet{0x81, 200, 0, 12};
  push_be32(packet, ssrc);
  push_be32(packet, 0xe1000000U + count);  // NTP timestamp
  push_be32(packet, 0x12345678U);
  push_be32(packet, 90000U * count);  // RTP timestamp
  push_be32(packet, count);           // packet count
  push_be32(packet, count * 1000U);   // octet count
  push_be32(packet, 0x55667788U);     // report block: SSRC, loss, highest, jitter, LSR, DLSR
  for (int i = 0; i < 5; ++i) push_be32(packet, static_cast<std::uint32_t>(i) * count);
  packet.insert(packet.end(), {0x81, 202, 0, 3});
  push_be32(packet, ssrc);
  packet.insert(packet.end(), {1, 5, 'r', 'r', 't', 'c', '1', 0});
  packet.insert(packet.end(), {0x81, 205, 0, 3});
  push_be32(packet, ssrc);
  push_be32(packet, 0x55667788U);
  push_be32(packet, (count & 0xffffU) << 16 | 0x0005U);
  return packet;
}

}  // namespace rrtc::srtp::testing
