#include "rtp/header_extension.hpp"

namespace rrtc::rtp {

std::optional<ExtensionElement> ExtensionReader::next() noexcept {
  while (pos_ < block_.size()) {
    const std::uint8_t first = block_[pos_];
    // A zero byte is padding in both forms. In the one-byte form libwebrtc also skips a
    // single byte whenever the ID nibble is 0, whatever its length nibble says; so do we.
    if (first == 0 || (form_ == ExtensionForm::kOneByte && (first >> 4) == 0)) {
      ++pos_;
      continue;
    }
    ExtensionElement element{};
    if (form_ == ExtensionForm::kOneByte) {
      element.id = static_cast<std::uint8_t>(first >> 4);
      // RFC 8285 section 4.2: ID 15 is reserved; "the local identifier value 15 ... should
      // terminate processing": the rest of the block is ignored, not an error.
      if (element.id == 15) return std::nullopt;
      element.length = static_cast<std::size_t>(first & 0x0F) + 1;
      element.header_offset = pos_;
      element.value_offset = pos_ + 1;
    } else {
      if (pos_ + 2 > block_.size()) {
        truncated_ = true;
        return std::nullopt;
      }
      element.id = first;
      element.length = block_[pos_ + 1];
      element.header_offset = pos_;
      element.value_offset = pos_ + 2;
    }
    if (element.value_offset + element.length > block_.size()) {
      truncated_ = true;
      return std::nullopt;
    }
    pos_ = element.value_offset + element.length;
    return element;
  }
  return std::nullopt;
}

}  // namespace rrtc::rtp
