#include "sdp/text.hpp"

#include <algorithm>

namespace rrtc::sdp::text {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') {
      ++pos;
    }
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != ' ') {
      ++pos;
    }
    if (pos > start) {
      pieces.push_back(text.substr(start, pos - start));
    }
  }
  return pieces;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool is_token(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

Error make_error(ErrorCode code, std::size_t line, std::string_view token) {
  constexpr std::size_t kMaxDetail = 40;
  std::string detail;
  for (char c : token.substr(0, kMaxDetail)) {
    detail.push_back((c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?');
  }
  return Error{code, line, std::move(detail)};
}

}  // namespace rrtc::sdp::text
