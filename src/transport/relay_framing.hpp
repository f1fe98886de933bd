#pragma once
// The room relay's framing: what a participant receives when another participant P sends a
// message on a data channel with a given label (the room forwards it to the channel with the
// same label of everyone else).
//
//   text   -> text    {"from":"<P>","data":"<original text>"}
//             A JSON object with exactly these two string members in this order, no whitespace,
//             escaped per RFC 8259: '"' '\\' as \" \\, U+0008/09/0A/0C/0D as \b \t \n \f \r,
//             other control characters below U+0020 and U+007F as \u00XX; everything else,
//             non-ASCII included, copied as UTF-8. Text that is not valid UTF-8 is refused
//             (a data channel text message must be UTF-8, RFC 8831 section 6.6).
//   binary -> binary  [1 byte: n = length of P in bytes][n bytes: P as UTF-8][original bytes]
//             P is at most 255 bytes; longer ids are refused.
//
// Browser side: JSON.parse(event.data) for strings; for ArrayBuffers
//   const b = new Uint8Array(buf); const n = b[0];
//   from = new TextDecoder().decode(b.subarray(1, 1 + n)); data = b.subarray(1 + n);
//
// Pure: no I/O, no logging; each wrap makes exactly one allocation (the result).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rrtc::transport {

inline constexpr std::size_t kMaxRelayIdLength = 255;

// Size of wrap_text()'s result, or nullopt when either string is not valid UTF-8. Lets the relay
// check the result against the receiver's max-message-size before building it.
std::optional<std::size_t> wrapped_text_size(std::string_view from, std::string_view text) noexcept;
std::optional<std::string> wrap_text(std::string_view from, std::string_view text);

// Size of wrap_binary()'s result (nullopt when `from` is longer than 255 bytes).
std::optional<std::size_t> wrapped_binary_size(std::string_view from,
                                               std::size_t payload_size) noexcept;
std::optional<std::vector<std::uint8_t>> wrap_binary(std::string_view from,
                                                     std::span<const std::uint8_t> data);

// The inverse of wrap_binary (views into `message`); nullopt when the length byte points past
// the end.
struct RelayedBinary {
  std::string_view from;
  std::span<const std::uint8_t> data;
};
std::optional<RelayedBinary> unwrap_binary(std::span<const std::uint8_t> message) noexcept;

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view text) noexcept;

}  // namespace rrtc::transport
