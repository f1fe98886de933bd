#include "cluster/envelope.hpp"

#include <algorithm>
#include <array>

namespace rrtc::cluster {
namespace {

constexpr std::string_view kVersion = "RRTC1";

constexpr std::array<std::pair<EnvelopeKind, std::string_view>, 3> kKinds{{
    {EnvelopeKind::open, "open"},
    {EnvelopeKind::message, "message"},
    {EnvelopeKind::close, "close"},
}};

// Splits off the text before the next space; false when there is none.
bool take_word(std::string_view& rest, std::string_view& word) noexcept {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  word = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return true;
}

}  // namespace

bool is_envelope_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= kMaxEnvelopeId &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
         });
}

std::string_view to_string(EnvelopeKind kind) noexcept {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "message";
}

std::optional<std::string> serialize_envelope(const Envelope& e) {
  if (!is_envelope_id(e.from) || !is_envelope_id(e.to) || !is_envelope_id(e.session)) {
    return std::nullopt;
  }
  const std::string_view kind = to_string(e.kind);
  std::string out;
  out.reserve(kVersion.size() + kind.size() + e.from.size() + e.to.size() + e.session.size() + 5 +
              e.payload.size());
  out += kVersion;
  out += ' ';
  out += kind;
  out += ' ';
  out += e.from;
  out += ' ';
  out += e.to;
  out += ' ';
  out += e.session;
  out += '\n';
  out += e.payload;
  return out;
}

std::optional<Envelope> parse_envelope(std::string_view wire) noexcept {
  const auto newline = wire.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  std::string_view header = wire.substr(0, newline);
  Envelope e;
  e.payload = wire.substr(newline + 1);
  std::string_view version, kind;
  if (!take_word(header, version) || version != kVersion) return std::nullopt;
  if (!take_word(header, kind) || !take_word(header, e.from) || !take_word(header, e.to)) {
    return std::nullopt;
  }
  e.session = header;  // the rest: must itself be one id (no further space)
  const auto known = std::find_if(kKinds.begin(), kKinds.end(),
                                  [&](const auto& entry) { return entry.second == kind; });
  if (known == kKinds.end()) return std::nullopt;
  e.kind = known->first;
  if (!is_envelope_id(e.from) || !is_envelope_id(e.to) || !is_envelope_id(e.session)) {
    return std::nullopt;
  }
  return e;
}

}  // namespace rrtc::cluster
