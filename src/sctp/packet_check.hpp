#pragma once
// A structural check of an incoming SCTP packet (RFC 4960 sections 3 and 3.2) before usrsctp
// sees it: the common header, every chunk's length inside the packet, and in INIT and INIT ACK
// chunks every parameter's length (at least its 4-byte header, inside the chunk).
//
// Why: fuzzing found an INIT whose parameters make Debian's usrsctp 0.9.5 loop forever in
// sctp_send_initiate_ack, which would hang a media worker. Such packets are dropped here.
// Pure; allocates nothing.

#include <cstdint>
#include <span>

namespace rrtc::sctp {

bool well_formed_packet(std::span<const std::uint8_t> packet) noexcept;

}  // namespace rrtc::sctp
