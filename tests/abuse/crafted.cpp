#include "crafted.hpp"

#include <array>

namespace rrtc::abuse {
namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put24(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void set24(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 16);
  set16(b, at + 1, static_cast<std::uint16_t>(v));
}

// RTCP common header (RFC 3550 section 6.4.1): V=2, count/FMT, PT, length in words minus one.
void rtcp_header(Bytes& b, std::uint8_t count, std::uint8_t pt, std::uint16_t length_words) {
  b.push_back(static_cast<std::uint8_t>(0x80 | (count & 0x1f)));
  b.push_back(pt);
  put16(b, length_words);
}

}  // namespace

Bytes client_hello_message(const ClientHelloShape& shape) {
  Bytes body;
  put16(body, 0xfefd);  // DTLS 1.2
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<std::uint8_t>(i * 7 + 1));
  body.push_back(0);  // session_id
  body.push_back(0);  // cookie
  const std::vector<std::uint16_t> suites =
      shape.null_ciphers_only
          ? std::vector<std::uint16_t>{0x003b, 0x0002, 0xc006, 0xc010, 0x00ff}
          : std::vector<std::uint16_t>{0xc02b, 0xc02f, 0xc00a, 0xc014, 0x00ff};
  // 0x00ff: TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746), without which OpenSSL 3 refuses the
  // hello at once ("unsafe legacy renegotiation disabled") and no handshake would stall.
  put16(body, static_cast<std::uint16_t>(suites.size() * 2));
  for (auto s : suites) put16(body, s);
  body.push_back(1);
  body.push_back(0);  // compression: null
  Bytes ext;
  put16(ext, 14);  // use_srtp (RFC 5764 section 4.1.1): SRTP_AES128_CM_HMAC_SHA1_80, no MKI
  put16(ext, 5);
  put16(ext, 2);
  put16(ext, 0x0001);
  ext.push_back(0);
  put16(ext, 10);  // supported_groups: secp256r1
  put16(ext, 4);
  put16(ext, 2);
  put16(ext, 23);
  put16(ext, 11);  // ec_point_formats: uncompressed
  put16(ext, 2);
  ext.push_back(1);
  ext.push_back(0);
  put16(ext, 13);  // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pkcs1_sha256
  put16(ext, 6);
  put16(ext, 4);
  put16(ext, 0x0403);
  put16(ext, 0x0401);
  if (shape.padding > 0) {
    put16(ext, 21);  // padding (RFC 7685)
    put16(ext, static_cast<std::uint16_t>(shape.padding));
    ext.insert(ext.end(), shape.padding, 0);
  }
  put16(body, static_cast<std::uint16_t>(ext.size()));
  body.insert(body.end(), ext.begin(), ext.end());

  Bytes message;
  message.push_back(1);  // client_hello
  put24(message, static_cast<std::uint32_t>(body.size()));
  put16(message, 0);  // message_seq
  put24(message, 0);  // fragment_offset
  put24(message, static_cast<std::uint32_t>(body.size()));
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

Bytes handshake_record(std::span<const std::uint8_t> message, std::size_t offset,
                       std::size_t length, std::uint64_t record_seq, std::uint32_t claimed_length) {
  const std::size_t body_size = message.size() - 12;
  Bytes fragment(message.begin(), message.begin() + 12);
  if (claimed_length != 0) set24(fragment, 1, claimed_length);
  set24(fragment, 6, static_cast<std::uint32_t>(offset));
  const std::size_t take = offset >= body_size ? 0 : std::min(length, body_size - offset);
  set24(fragment, 9, static_cast<std::uint32_t>(claimed_length != 0 ? length : take));
  fragment.insert(fragment.end(), message.begin() + 12 + static_cast<std::ptrdiff_t>(offset),
                  message.begin() + 12 + static_cast<std::ptrdiff_t>(offset + take));
  Bytes record;
  record.push_back(22);
  put16(record, 0xfeff);
  put16(record, 0);  // epoch
  put16(record, static_cast<std::uint16_t>(record_seq >> 32));
  put32(record, static_cast<std::uint32_t>(record_seq));
  put16(record, static_cast<std::uint16_t>(fragment.size()));
  record.insert(record.end(), fragment.begin(), fragment.end());
  return record;
}

Bytes rtp_header(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc) {
  Bytes b;
  b.push_back(0x80);
  b.push_back(pt & 0x7f);
  put16(b, seq);
  put32(b, ts);
  put32(b, ssrc);
  return b;
}

std::vector<Bytes> malformed_rtp(std::uint32_t ssrc) {
  std::vector<Bytes> out;
  out.push_back({0x80, 0x60});                              // shorter than the fixed header
  out.push_back(rtp_header(96, 1, 1, ssrc));                // header only, no tag
  auto csrc = rtp_header(96, 2, 2, ssrc);                   // CC=15, no CSRC list present
  csrc[0] = 0x8f;
  out.push_back(csrc);
  auto ext = rtp_header(96, 3, 3, ssrc);                    // X=1, extension length 0xffff words
  ext[0] = 0x90;
  ext.insert(ext.end(), {0xbe, 0xde, 0xff, 0xff, 0x10, 0x00, 0x00, 0x00});
  out.push_back(ext);
  auto pad = rtp_header(96, 4, 4, ssrc);                    // P=1, padding count 255 > payload
  pad[0] = 0xa0;
  pad.insert(pad.end(), {0x01, 0x02, 0x03, 0xff});
  out.push_back(pad);
  auto v1 = rtp_header(96, 5, 5, ssrc);                     // version 2 byte range, junk body
  v1.insert(v1.end(), 1100, 0xa5);
  out.push_back(v1);
  return out;
}

Bytes short_srtp(std::uint32_t ssrc) {
  auto b = rtp_header(96, 7, 7, ssrc);
  b.push_back(0x12);
  b.push_back(0x34);
  return b;
}

std::vector<Bytes> bad_length_rtcp(std::uint32_t sender_ssrc) {
  std::vector<Bytes> out;
  Bytes longer;  // RR claiming 100 words, 8 bytes present
  rtcp_header(longer, 0, 201, 100);
  put32(longer, sender_ssrc);
  out.push_back(longer);
  Bytes zero;  // RR with RC=1 but length 1 (its report block missing)
  rtcp_header(zero, 1, 201, 1);
  put32(zero, sender_ssrc);
  out.push_back(zero);
  Bytes middle;  // a valid RR, then a PLI whose length runs past the end
  rtcp_header(middle, 0, 201, 1);
  put32(middle, sender_ssrc);
  rtcp_header(middle, 1, 206, 40);
  put32(middle, sender_ssrc);
  put32(middle, sender_ssrc + 1);
  out.push_back(middle);
  Bytes sdes;  // SDES with an item length past its chunk
  rtcp_header(sdes, 1, 202, 2);
  put32(sdes, sender_ssrc);
  sdes.insert(sdes.end(), {1, 200, 'a', 'b'});
  out.push_back(sdes);
  return out;
}

Bytes many_subpackets_rtcp(std::uint32_t sender_ssrc, std::uint32_t media_ssrc, std::size_t count) {
  Bytes b;
  rtcp_header(b, 0, 201, 1);
  put32(b, sender_ssrc);
  for (std::size_t i = 1; i < count; ++i) {
    rtcp_header(b, 1, 206, 2);  // PLI (RFC 4585 section 6.3.1)
    put32(b, sender_ssrc);
    put32(b, media_ssrc);
  }
  return b;
}

Bytes nack_storm(std::uint32_t sender_ssrc, std::uint32_t media_ssrc, std::uint16_t first_seq,
                 std::size_t entries) {
  Bytes b;
  rtcp_header(b, 0, 201, 1);
  put32(b, sender_ssrc);
  rtcp_header(b, 1, 205, static_cast<std::uint16_t>(2 + entries));
  put32(b, sender_ssrc);
  put32(b, media_ssrc);
  for (std::size_t i = 0; i < entries; ++i) {
    put16(b, static_cast<std::uint16_t>(first_seq + i * 17));
    put16(b, 0xffff);
  }
  return b;
}

std::uint32_t crc32c(std::span<const std::uint8_t> data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? (c >> 1) ^ 0x82f63b78U : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xffffffffU;
  for (auto byte : data) crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8);
  return ~crc;
}

Bytes sctp_packet(std::uint16_t ports, std::uint32_t vtag, std::span<const std::uint8_t> chunks,
                  bool good_crc) {
  Bytes b;
  put16(b, ports);
  put16(b, ports);
  put32(b, vtag);
  put32(b, 0);
  b.insert(b.end(), chunks.begin(), chunks.end());
  std::uint32_t crc = crc32c(b);
  if (!good_crc) crc ^= 0x5a5a5a5aU;
  // Stored least significant byte first (RFC 4960 appendix B, as usrsctp and Linux do).
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  return b;
}

Bytes sctp_chunk(std::uint8_t type, std::uint8_t flags, std::span<const std::uint8_t> value,
                 std::uint16_t length_override) {
  Bytes b;
  b.push_back(type);
  b.push_back(flags);
  put16(b, length_override != 0xffff ? length_override
                                     : static_cast<std::uint16_t>(4 + value.size()));
  b.insert(b.end(), value.begin(), value.end());
  while (b.size() % 4 != 0) b.push_back(0);
  return b;
}

Bytes forward_tsn_chunk(std::uint32_t new_cum_tsn, std::size_t streams) {
  Bytes value;
  put32(value, new_cum_tsn);
  for (std::size_t i = 0; i < streams; ++i) {
    put16(value, static_cast<std::uint16_t>(i));
    put16(value, 0xfff0);
  }
  return sctp_chunk(192, 0, value);
}

}  // namespace rrtc::abuse
