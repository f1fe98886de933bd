// Small string helpers shared by the SDP parser and serializer (internal to rrtc_sdp).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/error.hpp"

namespace rrtc::sdp::text {

// Splits on one separator character; empty pieces are kept.
std::vector<std::string_view> split(std::string_view text, char separator);
// Splits on runs of spaces; no empty pieces.
std::vector<std::string_view> words(std::string_view text);
std::string_view trim(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
// "token" characters of RFC 8866 section 9 (no space, no control bytes, printable ASCII).
bool is_token(std::string_view text);
// Printable ASCII without control bytes, spaces allowed.
bool is_printable(std::string_view text);

template <class T>
std::optional<T> to_uint(std::string_view text) {
  T value{};
  if (text.empty() || text.size() > 20) {
    return std::nullopt;
  }
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

// An Error whose detail is `token` cut to 40 bytes with non-printable bytes replaced, so it can
// go into a JSON message as is.
Error make_error(ErrorCode code, std::size_t line, std::string_view token = {});

}  // namespace rrtc::sdp::text
