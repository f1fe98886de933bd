#include "rtp/packet_builder.hpp"

#include <algorithm>

#include "rtp/byte_io.hpp"
#include "rtp/packet.hpp"

namespace rrtc::rtp {

bool PacketBuilder::add_csrc(std::uint32_t csrc) noexcept {
  if (csrc_count_ == kMaxCsrcs) return false;
  csrcs_[csrc_count_++] = csrc;
  return true;
}

bool PacketBuilder::add_extension(std::uint8_t id, std::span<const std::uint8_t> value) noexcept {
  if (extension_count_ == kMaxExtensions || id == 0 || value.size() > 255) return false;
  extensions_[extension_count_++] = Extension{id, value};
  return true;
}

bool PacketBuilder::one_byte_form() const noexcept {
  return std::all_of(
      extensions_.begin(), extensions_.begin() + extension_count_,
      [](const Extension& e) { return e.id <= 14 && !e.value.empty() && e.value.size() <= 16; });
}

std::size_t PacketBuilder::extension_block_size() const noexcept {
  const std::size_t per_element = one_byte_form() ? 1 : 2;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < extension_count_; ++i) {
    bytes += per_element + extensions_[i].value.size();
  }
  return (bytes + 3) / 4 * 4;
}

std::size_t PacketBuilder::serialized_size() const noexcept {
  if (payload_type_ > 127) return 0;
  std::size_t size = 12 + 4 * csrc_count_;
  if (extension_count_ > 0) size += 4 + extension_block_size();
  return size + payload_.size() + padding_;
}

std::size_t PacketBuilder::write_to(std::span<std::uint8_t> out) const noexcept {
  const std::size_t size = serialized_size();
  if (size == 0 || size > out.size()) return 0;
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(0x80 | (padding_ ? 0x20 : 0) | (extension_count_ ? 0x10 : 0) |
                                   csrc_count_);
  p[1] = static_cast<std::uint8_t>((marker_ ? 0x80 : 0) | payload_type_);
  store_be16(p + 2, seq_);
  store_be32(p + 4, timestamp_);
  store_be32(p + 8, ssrc_);
  p += 12;
  for (std::size_t i = 0; i < csrc_count_; ++i, p += 4) store_be32(p, csrcs_[i]);
  if (extension_count_ > 0) {
    const bool one_byte = one_byte_form();
    const std::size_t block = extension_block_size();
    store_be16(p, one_byte ? kOneByteProfile : std::uint16_t{0x1000});
    store_be16(p + 2, static_cast<std::uint16_t>(block / 4));
    std::uint8_t* element = p + 4;
    for (std::size_t i = 0; i < extension_count_; ++i) {
      const Extension& e = extensions_[i];
      if (one_byte) {
        *element++ = static_cast<std::uint8_t>((e.id << 4) | (e.value.size() - 1));
      } else {
        *element++ = e.id;
        *element++ = static_cast<std::uint8_t>(e.value.size());
      }
      element = std::copy(e.value.begin(), e.value.end(), element);
    }
    std::fill(element, p + 4 + block, std::uint8_t{0});
    p += 4 + block;
  }
  p = std::copy(payload_.begin(), payload_.end(), p);
  if (padding_ > 0) {
    std::fill(p, p + padding_ - 1, std::uint8_t{0});
    p[padding_ - 1] = padding_;
  }
  return size;
}

}  // namespace rrtc::rtp
