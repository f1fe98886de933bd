// libFuzzer target: SrtpSession::unprotect_rtp / unprotect_rtcp on hostile input.
//
// Input: a flags octet, a mutation position, a mutation mask, then packet bytes.
//   flags bit 0: profile (0 AEAD_AES_128_GCM, 1 AES_CM_128_HMAC_SHA1_80)
//   flags bit 1: RTCP instead of RTP
//   flags bit 2: the bytes are a plaintext to protect with a matching outbound session first;
//                the protected packet is then changed at position % size by XOR with the mask.
//                Unchanged it must unprotect back to the plaintext, changed it must be rejected.
//   otherwise:   the bytes go as they are into a fresh inbound session and into one kept across
//                inputs (so replay windows and the SSRC table fill up over a run).
// Buffers are exactly as large as the packet (plus the trailer room protect needs), so ASan sees
// any read or write past them.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "srtp/session.hpp"

namespace {

using rrtc::srtp::SrtpDirection;
using rrtc::srtp::SrtpProfile;
using rrtc::srtp::SrtpSession;

std::vector<std::uint8_t> master_for(SrtpProfile profile) {
  std::vector<std::uint8_t> master(rrtc::srtp::master_key_length(profile) +
                                   rrtc::srtp::master_salt_length(profile));
  for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<std::uint8_t>(i * 37 + 1);
  return master;
}

SrtpSession session(SrtpProfile profile, SrtpDirection direction) {
  auto created = SrtpSession::create(profile, master_for(profile), direction);
  if (!created) std::abort();
  return std::move(*created);
}

boost::system::result<std::size_t> unprotect(SrtpSession& receiver,
                                             std::vector<std::uint8_t>& packet, bool rtcp) {
  return rtcp ? receiver.unprotect_rtcp(packet, packet.size())
              : receiver.unprotect_rtp(packet, packet.size());
}

void round_trip(SrtpProfile profile, bool rtcp, std::size_t position, std::uint8_t mask,
                const std::vector<std::uint8_t>& plain) {
  auto sender = session(profile, SrtpDirection::Outbound);
  auto receiver = session(profile, SrtpDirection::Inbound);
  std::vector<std::uint8_t> packet(plain);
  packet.resize(plain.size() + (rtcp ? sender.rtcp_overhead() : sender.rtp_overhead()));
  auto length =
      rtcp ? sender.protect_rtcp(packet, plain.size()) : sender.protect_rtp(packet, plain.size());
  if (!length) return;  // too short or a header that does not fit: nothing to unprotect
  packet.resize(*length);
  if (mask != 0) packet[position % packet.size()] ^= mask;
  auto result = unprotect(receiver, packet, rtcp);
  if (mask != 0) {
    if (result) std::abort();  // a changed packet authenticated
    return;
  }
  if (!result || *result != plain.size()) std::abort();
  packet.resize(*result);
  if (packet != plain) std::abort();
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t flags = data[0];
  const auto profile =
      (flags & 1U) != 0 ? SrtpProfile::AesCm128HmacSha1_80 : SrtpProfile::AeadAes128Gcm;
  const bool rtcp = (flags & 2U) != 0;
  std::vector<std::uint8_t> bytes(data + 3, data + size);
  if ((flags & 4U) != 0) {
    round_trip(profile, rtcp, data[1], data[2], bytes);
    return 0;
  }
  static SrtpSession kept[2] = {session(SrtpProfile::AeadAes128Gcm, SrtpDirection::Inbound),
                                session(SrtpProfile::AesCm128HmacSha1_80, SrtpDirection::Inbound)};
  auto fresh = session(profile, SrtpDirection::Inbound);
  std::vector<std::uint8_t> copy(bytes);
  (void)unprotect(fresh, copy, rtcp);
  (void)unprotect(kept[flags & 1U], bytes, rtcp);
  return 0;
}
