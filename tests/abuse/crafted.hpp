#pragma once
// Hostile datagrams for the abuse driver, written byte by byte (the project's writers refuse to
// produce most of them). Pure functions; each names the RFC structure it bends.

#include <cstdint>
#include <span>
#include <vector>

namespace rrtc::abuse {

using Bytes = std::vector<std::uint8_t>;

// --- DTLS (RFC 6347 section 4.2.2, RFC 5246 section 7.4.1.2) ---
struct ClientHelloShape {
  bool null_ciphers_only = false;  // only TLS_*_WITH_NULL_* suites (no encryption at all)
  std::size_t padding = 0;         // bytes of an extra (padding, RFC 7685) extension
};
// The handshake message (12-byte DTLS handshake header + body), unfragmented.
Bytes client_hello_message(const ClientHelloShape& shape);
// One record (type 22, epoch 0) carrying `fragment` of `message` at `offset`: the handshake
// header is rewritten with fragment_offset / fragment_length, the total length kept (or
// replaced by `claimed_length` when non-zero).
Bytes handshake_record(std::span<const std::uint8_t> message, std::size_t offset,
                       std::size_t length, std::uint64_t record_seq,
                       std::uint32_t claimed_length = 0);

// --- RTP (RFC 3550 section 5.1) ---
Bytes rtp_header(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc);
// Plain RTP that no SRTP context can authenticate, and headers whose lengths lie.
std::vector<Bytes> malformed_rtp(std::uint32_t ssrc);
// Shorter than any SRTP tag: header + 2 bytes.
Bytes short_srtp(std::uint32_t ssrc);

// --- RTCP (RFC 3550 section 6.4; RFC 4585 section 6) ---
// Compounds for send_rtcp(): bad lengths (longer than the packet, zero, past the end in the
// middle of the compound), and `count` sub-packets in one compound.
std::vector<Bytes> bad_length_rtcp(std::uint32_t sender_ssrc);
Bytes many_subpackets_rtcp(std::uint32_t sender_ssrc, std::uint32_t media_ssrc, std::size_t count);
// A generic NACK (RTPFB FMT 1) for media_ssrc: `entries` FCIs from `first_seq`, each asking for
// 17 packets (PID + BLP 0xffff).
Bytes nack_storm(std::uint32_t sender_ssrc, std::uint32_t media_ssrc, std::uint16_t first_seq,
                 std::size_t entries);

// --- SCTP (RFC 4960 section 3) ---
// CRC32c as SCTP stores it (RFC 4960 appendix B), over the whole packet with the checksum zero.
std::uint32_t crc32c(std::span<const std::uint8_t> data);
// Common header + chunks; `good_crc` false leaves a wrong checksum.
Bytes sctp_packet(std::uint16_t ports, std::uint32_t vtag, std::span<const std::uint8_t> chunks,
                  bool good_crc = true);
Bytes sctp_chunk(std::uint8_t type, std::uint8_t flags, std::span<const std::uint8_t> value,
                 std::uint16_t length_override = 0xffff);
// FORWARD-TSN (RFC 3758 section 3.2): new cumulative TSN and `streams` stream/sequence pairs.
Bytes forward_tsn_chunk(std::uint32_t new_cum_tsn, std::size_t streams);

}  // namespace rrtc::abuse
