#include "rtp/packet.hpp"

#include <algorithm>
#include <bitset>
#include <cstring>

#include "rtp/byte_io.hpp"
#include "rtp/header_extension.hpp"

namespace rrtc::rtp {
namespace {

constexpr std::size_t kFixedHeaderSize = 12;

std::optional<ExtensionForm> form_of(std::uint16_t profile) {
  if (profile == kOneByteProfile) return ExtensionForm::kOneByte;
  if (is_two_byte_profile(profile)) return ExtensionForm::kTwoByte;
  return std::nullopt;
}

}  // namespace

const char* to_string(ParseError error) noexcept {
  switch (error) {
    case ParseError::kTooShort:
      return "shorter than the RTP fixed header";
    case ParseError::kBadVersion:
      return "RTP version is not 2";
    case ParseError::kCsrcPastEnd:
      return "CSRC list runs past the end";
    case ParseError::kExtensionPastEnd:
      return "header extension runs past the end";
    case ParseError::kExtensionTruncated:
      return "header extension element truncated";
    case ParseError::kBadPadding:
      return "bad padding length";
    case ParseError::kTooLong:
      return "longer than any UDP datagram";
  }
  return "unknown RTP parse error";
}

// RFC 3550 section 5.1, RTP fixed header:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           timestamp                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           synchronization source (SSRC) identifier            |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |            contributing source (CSRC) identifiers             |
// |                             ....                              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// section 5.3.1, header extension (when X = 1):
// |      defined by profile       |           length              |
// |                        header extension                       |
// then the payload, then (when P = 1) padding whose last byte counts the padding bytes.
boost::system::result<Packet, ParseError> Packet::parse(std::span<std::uint8_t> buffer) {
  // Offsets are stored in 16 bits; no datagram is larger.
  if (buffer.size() < kFixedHeaderSize) return ParseError::kTooShort;
  if (buffer.size() > 0xFFFF) return ParseError::kTooLong;
  const std::uint8_t b0 = buffer[0];
  if ((b0 >> 6) != 2) return ParseError::kBadVersion;
  const bool has_padding = (b0 & 0x20) != 0;
  const bool has_extension = (b0 & 0x10) != 0;
  const std::size_t cc = b0 & 0x0F;

  Packet packet(buffer);
  std::size_t offset = kFixedHeaderSize + 4 * cc;
  if (offset > buffer.size()) return ParseError::kCsrcPastEnd;

  if (has_extension) {
    if (offset + 4 > buffer.size()) return ParseError::kExtensionPastEnd;
    const std::uint16_t profile = load_be16(&buffer[offset]);
    const std::size_t words = load_be16(&buffer[offset + 2]);
    offset += 4;
    if (offset + 4 * words > buffer.size()) return ParseError::kExtensionPastEnd;
    packet.ext_present_ = true;
    packet.ext_offset_ = static_cast<std::uint16_t>(offset);
    packet.ext_size_ = static_cast<std::uint16_t>(4 * words);
    if (const auto form = form_of(profile)) {
      ExtensionReader reader(buffer.subspan(offset, 4 * words), *form);
      while (reader.next()) {
      }
      if (reader.truncated()) return ParseError::kExtensionTruncated;
    }
    offset += 4 * words;
  }

  std::size_t padding = 0;
  if (has_padding) {
    padding = buffer.back();
    // RFC 3550 section 5.1: the last octet counts itself, so 0 is invalid.
    if (padding == 0 || offset + padding > buffer.size()) return ParseError::kBadPadding;
  }
  packet.payload_offset_ = static_cast<std::uint16_t>(offset);
  packet.payload_size_ = static_cast<std::uint16_t>(buffer.size() - offset - padding);
  packet.padding_size_ = static_cast<std::uint8_t>(padding);
  return packet;
}

bool Packet::marker() const noexcept { return (buffer_[1] & 0x80) != 0; }
std::uint8_t Packet::payload_type() const noexcept { return buffer_[1] & 0x7F; }
std::uint16_t Packet::sequence_number() const noexcept { return load_be16(&buffer_[2]); }
std::uint32_t Packet::timestamp() const noexcept { return load_be32(&buffer_[4]); }
std::uint32_t Packet::ssrc() const noexcept { return load_be32(&buffer_[8]); }
std::size_t Packet::csrc_count() const noexcept { return buffer_[0] & 0x0F; }
std::uint32_t Packet::csrc(std::size_t index) const noexcept {
  return load_be32(&buffer_[kFixedHeaderSize + 4 * index]);
}

std::uint16_t Packet::extension_profile() const noexcept {
  return ext_present_ ? load_be16(&buffer_[ext_offset_ - 4]) : 0;
}

std::span<const std::uint8_t> Packet::extension_block() const noexcept {
  return std::span<const std::uint8_t>(buffer_).subspan(ext_offset_, ext_size_);
}

std::optional<std::span<const std::uint8_t>> Packet::extension(std::uint8_t id) const noexcept {
  const auto form = form_of(extension_profile());
  if (!ext_present_ || !form || id == 0) return std::nullopt;
  const auto block = extension_block();
  ExtensionReader reader(block, *form);
  while (const auto element = reader.next()) {
    if (element->id == id) return block.subspan(element->value_offset, element->length);
  }
  return std::nullopt;
}

void Packet::set_marker(bool marker) noexcept {
  buffer_[1] = static_cast<std::uint8_t>((buffer_[1] & 0x7F) | (marker ? 0x80 : 0));
}

bool Packet::set_payload_type(std::uint8_t payload_type) noexcept {
  if (payload_type > 127) return false;
  buffer_[1] = static_cast<std::uint8_t>((buffer_[1] & 0x80) | payload_type);
  return true;
}

void Packet::set_sequence_number(std::uint16_t seq) noexcept { store_be16(&buffer_[2], seq); }
void Packet::set_timestamp(std::uint32_t timestamp) noexcept { store_be32(&buffer_[4], timestamp); }
void Packet::set_ssrc(std::uint32_t ssrc) noexcept { store_be32(&buffer_[8], ssrc); }

bool Packet::set_extension(std::uint8_t id, std::span<const std::uint8_t> value) noexcept {
  const auto form = form_of(extension_profile());
  if (!ext_present_ || !form || id == 0) return false;
  std::span<std::uint8_t> block = buffer_.subspan(ext_offset_, ext_size_);
  ExtensionReader reader(block, *form);
  while (const auto element = reader.next()) {
    if (element->id != id) continue;
    if (value.size() > element->length) return false;
    if (*form == ExtensionForm::kOneByte) {
      if (value.empty()) return false;
      block[element->header_offset] =
          static_cast<std::uint8_t>((id << 4) | ((value.size() - 1) & 0x0F));
    } else {
      block[element->header_offset + 1] = static_cast<std::uint8_t>(value.size());
    }
    std::uint8_t* dst = &block[element->value_offset];
    std::copy(value.begin(), value.end(), dst);
    std::fill(dst + value.size(), dst + element->length, std::uint8_t{0});
    return true;
  }
  return false;
}

bool Packet::rewrite_extension_ids(const ExtensionIdMap& map) noexcept {
  const auto form = form_of(extension_profile());
  if (!ext_present_) return true;
  if (!form) return false;
  std::span<std::uint8_t> block = buffer_.subspan(ext_offset_, ext_size_);
  const std::uint8_t max_id = *form == ExtensionForm::kOneByte ? 14 : 255;
  // First pass: validate every new id so a refusal leaves the packet untouched.
  std::bitset<256> used;
  ExtensionReader check(block, *form);
  while (const auto element = check.next()) {
    const std::uint8_t new_id = map[element->id];
    if (new_id == 0) continue;
    if (new_id > max_id || used.test(new_id)) return false;
    used.set(new_id);
  }
  ExtensionReader reader(block, *form);
  while (const auto element = reader.next()) {
    const std::uint8_t new_id = map[element->id];
    std::uint8_t* header = &block[element->header_offset];
    if (new_id == 0) {
      // Removing: zero the element header and value; zero bytes are padding in both forms.
      std::fill(header, &block[element->value_offset] + element->length, std::uint8_t{0});
    } else if (*form == ExtensionForm::kOneByte) {
      *header = static_cast<std::uint8_t>((new_id << 4) | (*header & 0x0F));
    } else {
      *header = new_id;
    }
  }
  return true;
}

}  // namespace rrtc::rtp
