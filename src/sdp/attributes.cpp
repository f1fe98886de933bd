#include "sdp/attributes.hpp"

#include "sdp/text.hpp"

namespace rrtc::sdp::detail {

std::optional<Direction> direction_from_name(std::string_view name) {
  if (name == "sendrecv") return Direction::sendrecv;
  if (name == "sendonly") return Direction::sendonly;
  if (name == "recvonly") return Direction::recvonly;
  if (name == "inactive") return Direction::inactive;
  return std::nullopt;
}

// RFC 8122 section 5:
//   attribute       = "fingerprint" ":" hash-func SP fingerprint
//   hash-func       = "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" / token
//   fingerprint     = 2UHEX *(":" 2UHEX)
// Any token is kept here; whether the hash is usable is the negotiator's call.
Result<Fingerprint> parse_fingerprint(std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.size() != 2 || !text::is_token(parts[0]) || !text::is_token(parts[1])) {
    return text::make_error(ErrorCode::bad_fingerprint, line, value);
  }
  return Fingerprint{std::string(parts[0]), std::string(parts[1])};
}

// RFC 4145 section 4:  setup-attr = "a=setup:" role
//   role = "active" / "passive" / "actpass" / "holdconn"
Result<Setup> parse_setup(std::string_view value, std::size_t line) {
  const std::string_view role = text::trim(value);
  if (role == "actpass") return Setup::actpass;
  if (role == "active") return Setup::active;
  if (role == "passive") return Setup::passive;
  if (role == "holdconn") return Setup::holdconn;
  return text::make_error(ErrorCode::bad_setup, line, value);
}

// RFC 5888 section 5:  group-attribute = "a=group:" semantics *(SP identification-tag)
Result<Group> parse_group(std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.empty() || !text::is_token(parts[0])) {
    return text::make_error(ErrorCode::bad_group, line, value);
  }
  Group group;
  group.semantics = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) {
    group.mids.emplace_back(parts[i]);
  }
  return group;
}

// RFC 8285 section 8:
//   extmap = mapentry SP extensionname [SP extensionattributes]
//   mapentry = "extmap:" 1*5DIGIT ["/" direction]
Result<Extmap> parse_extmap(std::string_view value, std::size_t line) {
  const auto fail = [&] { return text::make_error(ErrorCode::bad_extmap, line, value); };
  const std::string_view trimmed = text::trim(value);
  const std::size_t space = trimmed.find(' ');
  if (space == std::string_view::npos) {
    return fail();
  }
  std::string_view entry = trimmed.substr(0, space);
  std::string_view rest = text::trim(trimmed.substr(space + 1));
  Extmap extmap;
  const std::size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {
    extmap.direction = direction_from_name(entry.substr(slash + 1));
    if (!extmap.direction) {
      return fail();
    }
    entry = entry.substr(0, slash);
  }
  const auto id = text::to_uint<std::uint16_t>(entry);
  // 1-14 one-byte, 1-255 two-byte header (RFC 8285 section 4); 4096-4351 only in negotiation.
  if (!id || *id == 0 || (*id > 255 && (*id < 4096 || *id > 4351))) {
    return fail();
  }
  extmap.id = *id;
  const std::size_t uri_end = rest.find(' ');
  extmap.uri = rest.substr(0, uri_end);
  if (uri_end != std::string_view::npos) {
    extmap.attributes = text::trim(rest.substr(uri_end + 1));
  }
  if (!text::is_token(extmap.uri)) {
    return fail();
  }
  return extmap;
}

// RFC 8839 section 5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4-256, pwd 22-256 chars.
// Lengths are not enforced (aiortc and older peers differ), characters are.
Status parse_ice_credential(std::string_view value, std::size_t line, std::string& out) {
  const std::string_view trimmed = text::trim(value);
  if (trimmed.empty() || trimmed.size() > 256 || !text::is_token(trimmed)) {
    return text::make_error(ErrorCode::bad_ice_credentials, line, value);
  }
  out = trimmed;
  return std::nullopt;
}

}  // namespace rrtc::sdp::detail
