#include "transport/relay_framing.hpp"

#include <cstring>

namespace rrtc::transport {
namespace {

constexpr std::string_view kPrefix = R"({"from":")";
constexpr std::string_view kMiddle = R"(","data":")";
constexpr std::string_view kSuffix = R"("})";

// Bytes the JSON string body of `c` takes.
constexpr std::size_t escaped_length(unsigned char c) noexcept {
  switch (c) {
    case '"':
    case '\\':
    case '\b':
    case '\t':
    case '\n':
    case '\f':
    case '\r':
      return 2;
    default:
      return (c < 0x20 || c == 0x7F) ? 6 : 1;
  }
}

std::size_t escaped_size(std::string_view text) noexcept {
  std::size_t size = 0;
  for (const char c : text) size += escaped_length(static_cast<unsigned char>(c));
  return size;
}

char* escape_into(char* out, std::string_view text) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out++ = '\\';
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        *out++ = '\\';
        break;
      case '\b':
        *out++ = '\\';
        *out++ = 'b';
        break;
      case '\t':
        *out++ = '\\';
        *out++ = 't';
        break;
      case '\n':
        *out++ = '\\';
        *out++ = 'n';
        break;
      case '\f':
        *out++ = '\\';
        *out++ = 'f';
        break;
      case '\r':
        *out++ = '\\';
        *out++ = 'r';
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          *out++ = '\\';
          *out++ = 'u';
          *out++ = '0';
          *out++ = '0';
          *out++ = kHex[c >> 4];
          *out++ = kHex[c & 0xF];
        } else {
          *out++ = ch;
        }
    }
  }
  return out;
}

char* append(char* out, std::string_view s) noexcept {
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

}  // namespace

bool valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t code = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
      min = 0x10000;
    } else
      return false;
    if (static_cast<std::size_t>(end - p) <= extra) return false;
    for (std::size_t i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

std::optional<std::size_t> wrapped_text_size(std::string_view from,
                                             std::string_view text) noexcept {
  if (!valid_utf8(from) || !valid_utf8(text)) return std::nullopt;
  return kPrefix.size() + escaped_size(from) + kMiddle.size() + escaped_size(text) + kSuffix.size();
}

std::optional<std::string> wrap_text(std::string_view from, std::string_view text) {
  const auto size = wrapped_text_size(from, text);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  char* p = out.data();
  p = append(p, kPrefix);
  p = escape_into(p, from);
  p = append(p, kMiddle);
  p = escape_into(p, text);
  append(p, kSuffix);
  return out;
}

std::optional<std::size_t> wrapped_binary_size(std::string_view from,
                                               std::size_t payload_size) noexcept {
  if (from.size() > kMaxRelayIdLength) return std::nullopt;
  return 1 + from.size() + payload_size;
}

std::optional<std::vector<std::uint8_t>> wrap_binary(std::string_view from,
                                                     std::span<const std::uint8_t> data) {
  const auto size = wrapped_binary_size(from, data.size());
  if (!size) return std::nullopt;
  std::vector<std::uint8_t> out(*size);
  out[0] = static_cast<std::uint8_t>(from.size());
  if (!from.empty()) std::memcpy(out.data() + 1, from.data(), from.size());
  if (!data.empty()) std::memcpy(out.data() + 1 + from.size(), data.data(), data.size());
  return out;
}

std::optional<RelayedBinary> unwrap_binary(std::span<const std::uint8_t> message) noexcept {
  if (message.empty()) return std::nullopt;
  const std::size_t n = message[0];
  if (message.size() < 1 + n) return std::nullopt;
  return RelayedBinary{std::string_view(reinterpret_cast<const char*>(message.data() + 1), n),
                       message.subspan(1 + n)};
}

}  // namespace rrtc::transport
