#include "ice/candidate_line.hpp"

#include <charconv>

namespace rrtc::ice {
namespace {

constexpr std::string_view kPrefix = "candidate:";

// ice-char = ALPHA / DIGIT / "+" / "/"  (RFC 8839 section 5.1)
bool is_ice_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool is_token_char(char c) noexcept { return c > ' ' && c < 0x7f; }

// Splits off the next space-separated field; empty when none is left.
std::string_view next_field(std::string_view& rest) noexcept {
  while (!rest.empty() && rest.front() == ' ') {
    rest.remove_prefix(1);
  }
  std::size_t end = rest.find(' ');
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

template <typename T>
bool parse_number(std::string_view text, std::size_t max_digits, T& out) noexcept {
  if (text.empty() || text.size() > max_digits) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool equals_ci(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) {
      return false;
    }
  }
  return true;
}

bool fail(CandidateLineError* out, CandidateLineError error) noexcept {
  if (out != nullptr) {
    *out = error;
  }
  return false;
}

bool parse_fields(std::string_view rest, CandidateLine& c, CandidateLineError* error) noexcept {
  c.foundation = next_field(rest);
  std::string_view component = next_field(rest);
  c.transport = next_field(rest);
  std::string_view priority = next_field(rest);
  c.address = next_field(rest);
  std::string_view port = next_field(rest);
  std::string_view typ = next_field(rest);
  c.type = next_field(rest);
  if (c.type.empty()) {
    return fail(error, CandidateLineError::MissingField);
  }
  if (c.foundation.size() > 32) {
    return fail(error, CandidateLineError::BadFoundation);
  }
  for (char ch : c.foundation) {
    if (!is_ice_char(ch)) {
      return fail(error, CandidateLineError::BadFoundation);
    }
  }
  if (!parse_number(component, 3, c.component) || c.component == 0 || c.component > 256) {
    return fail(error, CandidateLineError::BadComponent);
  }
  if (!equals_ci(c.transport, "udp") && !equals_ci(c.transport, "tcp")) {
    return fail(error, CandidateLineError::BadTransport);
  }
  if (!parse_number(priority, 10, c.priority)) {
    return fail(error, CandidateLineError::BadPriority);
  }
  if (c.address.size() > 255) {
    return fail(error, CandidateLineError::BadAddress);
  }
  // Port 0 is legal for tcp-active candidates (RFC 6544 section 4.5).
  if (!parse_number(port, 5, c.port)) {
    return fail(error, CandidateLineError::BadPort);
  }
  if (typ != "typ" ||
      !(c.type == "host" || c.type == "srflx" || c.type == "prflx" || c.type == "relay")) {
    return fail(error, CandidateLineError::BadType);
  }
  return true;
}

}  // namespace

const char* to_string(CandidateLineError error) noexcept {
  switch (error) {
    case CandidateLineError::None:
      return "none";
    case CandidateLineError::Empty:
      return "empty";
    case CandidateLineError::TooLong:
      return "too long";
    case CandidateLineError::BadCharacter:
      return "bad character";
    case CandidateLineError::NoPrefix:
      return "missing candidate: prefix";
    case CandidateLineError::MissingField:
      return "missing field";
    case CandidateLineError::BadFoundation:
      return "bad foundation";
    case CandidateLineError::BadComponent:
      return "bad component";
    case CandidateLineError::BadTransport:
      return "bad transport";
    case CandidateLineError::BadPriority:
      return "bad priority";
    case CandidateLineError::BadAddress:
      return "bad address";
    case CandidateLineError::BadPort:
      return "bad port";
    case CandidateLineError::BadType:
      return "bad type";
  }
  return "unknown";
}

std::string_view strip_attribute_prefix(std::string_view line) noexcept {
  if (line.substr(0, 2) == "a=") {
    line.remove_prefix(2);
  }
  return line;
}

std::optional<CandidateLine> parse_candidate_line(std::string_view line,
                                                  CandidateLineError* error) noexcept {
  if (error != nullptr) {
    *error = CandidateLineError::None;
  }
  line = strip_attribute_prefix(line);
  if (line.empty()) {
    fail(error, CandidateLineError::Empty);
    return std::nullopt;
  }
  if (line.size() > kMaxCandidateLineSize) {
    fail(error, CandidateLineError::TooLong);
    return std::nullopt;
  }
  for (char ch : line) {
    if (ch != ' ' && !is_token_char(ch)) {
      fail(error, CandidateLineError::BadCharacter);
      return std::nullopt;
    }
  }
  if (line.substr(0, kPrefix.size()) != kPrefix) {
    fail(error, CandidateLineError::NoPrefix);
    return std::nullopt;
  }
  CandidateLine candidate;
  if (!parse_fields(line.substr(kPrefix.size()), candidate, error)) {
    return std::nullopt;
  }
  return candidate;
}

}  // namespace rrtc::ice
