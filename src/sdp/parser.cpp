#include "sdp/parser.hpp"

#include <algorithm>
#include <set>

#include "sdp/attributes.hpp"
#include "sdp/text.hpp"

namespace rrtc::sdp {
namespace {

using detail::Status;

// RFC 8866 section 5.2:
//   origin-field = %s"o" "=" username SP sess-id SP sess-version SP nettype SP addrtype SP
//                  unicast-address CRLF
Status parse_origin(Origin& origin, std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.size() != 6) {
    return text::make_error(ErrorCode::bad_origin, line, value);
  }
  origin = Origin{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                  std::string(parts[3]), std::string(parts[4]), std::string(parts[5])};
  return std::nullopt;
}

// RFC 8866 section 5.7:  connection-field = [%s"c" "=" nettype SP addrtype SP connection-address]
Result<Connection> parse_connection(std::string_view value, std::size_t line) {
  const auto parts = text::words(value);
  if (parts.size() != 3) {
    return text::make_error(ErrorCode::bad_connection, line, value);
  }
  return Connection{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

// RFC 8866 section 5.14:
//   media-field = %s"m" "=" media SP port ["/" integer] SP proto 1*(SP fmt) CRLF
Result<MediaSection> parse_media_line(std::string_view value, std::size_t line) {
  const auto fail = [&] { return text::make_error(ErrorCode::bad_media_line, line, value); };
  const auto parts = text::words(value);
  if (parts.size() < 4 || !text::is_token(parts[0])) {
    return fail();
  }
  MediaSection media;
  media.media = parts[0];
  const auto port_fields = text::split(parts[1], '/');
  const auto port = text::to_uint<std::uint16_t>(port_fields[0]);
  if (!port || port_fields.size() > 2) {
    return fail();
  }
  media.port = *port;
  if (port_fields.size() == 2) {
    media.port_count = text::to_uint<std::uint16_t>(port_fields[1]);
    if (!media.port_count) {
      return fail();
    }
  }
  media.protocol = parts[2];
  for (std::size_t i = 3; i < parts.size(); ++i) {
    media.formats.emplace_back(parts[i]);
  }
  return media;
}

Attribute split_attribute(std::string_view value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos) {
    return Attribute{std::string(value), {}, false};
  }
  return Attribute{std::string(value.substr(0, colon)), std::string(value.substr(colon + 1)), true};
}

Status apply_session_attribute(SessionDescription& session, Attribute attribute, std::size_t line) {
  const std::string_view name = attribute.name;
  const std::string_view value = attribute.value;
  if (!attribute.has_value && name == "extmap-allow-mixed") {
    session.extmap_allow_mixed = true;
  } else if (!attribute.has_value && name == "ice-lite") {
    session.ice_lite = true;
  } else if (attribute.has_value && name == "group") {
    auto group = detail::parse_group(value, line);
    if (!group) return group.error();
    session.groups.push_back(std::move(*group));
  } else if (attribute.has_value && name == "ice-ufrag") {
    return detail::parse_ice_credential(value, line, session.ice_ufrag);
  } else if (attribute.has_value && name == "ice-pwd") {
    return detail::parse_ice_credential(value, line, session.ice_pwd);
  } else if (attribute.has_value && name == "ice-options") {
    for (std::string_view option : text::words(value)) session.ice_options.emplace_back(option);
  } else if (attribute.has_value && name == "fingerprint") {
    auto fingerprint = detail::parse_fingerprint(value, line);
    if (!fingerprint) return fingerprint.error();
    session.fingerprints.push_back(std::move(*fingerprint));
  } else if (attribute.has_value && name == "setup") {
    auto setup = detail::parse_setup(value, line);
    if (!setup) return setup.error();
    session.setup = *setup;
  } else {
    session.other_attributes.push_back(std::move(attribute));
  }
  return std::nullopt;
}

// Walks the lines in order: v=, then session-level lines, then m= sections.
class Parser {
 public:
  explicit Parser(const ParseLimits& limits) : limits_(limits) {}

  Status line(char type, std::string_view value, std::size_t number) {
    if (!seen_version_) {
      seen_version_ = true;
      return (type == 'v' && value == "0")
                 ? Status{}
                 : text::make_error(ErrorCode::bad_version, number, value);
    }
    if (type == 'm') {
      return media_line(value, number);
    }
    if (type == 'a') {
      return attribute_line(value, number);
    }
    return session_.media.empty() ? session_line(type, value, number)
                                  : media_level_line(type, value, number);
  }

  Result<SessionDescription> finish() {
    if (!seen_version_) return text::make_error(ErrorCode::empty, 0);
    if (Status status = check_mid()) return std::move(*status);
    if (!seen_origin_) return text::make_error(ErrorCode::missing_origin, 0);
    if (!seen_name_) return text::make_error(ErrorCode::missing_session_name, 0);
    if (!seen_timing_) return text::make_error(ErrorCode::missing_timing, 0);
    return std::move(session_);
  }

 private:
  Status media_line(std::string_view value, std::size_t number) {
    if (session_.media.size() >= limits_.max_media_sections) {
      return text::make_error(ErrorCode::too_many_media_sections, number);
    }
    if (Status status = check_mid()) return status;
    auto media = parse_media_line(value, number);
    if (!media) return media.error();
    session_.media.push_back(std::move(*media));
    attributes_ = 0;
    return std::nullopt;
  }

  Status attribute_line(std::string_view value, std::size_t number) {
    if (++attributes_ > limits_.max_attributes_per_section) {
      return text::make_error(ErrorCode::too_many_attributes, number);
    }
    Attribute attribute = split_attribute(value);
    if (attribute.name.empty()) {
      return text::make_error(ErrorCode::bad_attribute, number, value);
    }
    if (session_.media.empty()) {
      return apply_session_attribute(session_, std::move(attribute), number);
    }
    MediaSection& media = session_.media.back();
    if (Status status = detail::apply_media_attribute(media, attribute, number)) return status;
    if (attribute.name == "candidate" && ++candidates_ > limits_.max_candidates) {
      return text::make_error(ErrorCode::too_many_candidates, number);
    }
    return std::nullopt;
  }

  Status session_line(char type, std::string_view value, std::size_t number) {
    switch (type) {
      case 'o':
        if (seen_origin_) break;
        seen_origin_ = true;
        return parse_origin(session_.origin, value, number);
      case 's':
        if (seen_name_) break;
        seen_name_ = true;
        session_.session_name = value;
        return std::nullopt;
      case 't':
        if (seen_timing_) break;
        seen_timing_ = true;
        session_.timing = value;
        return std::nullopt;
      case 'c': {
        if (session_.connection) break;
        auto connection = parse_connection(value, number);
        if (!connection) return connection.error();
        session_.connection = std::move(*connection);
        return std::nullopt;
      }
      case 'i':
      case 'u':
      case 'e':
      case 'p':
      case 'b':
      case 'r':
      case 'z':
      case 'k':
        session_.lines.push_back(Line{type, std::string(value)});
        return std::nullopt;
      default:
        break;
    }
    return text::make_error(ErrorCode::unexpected_line, number, std::string(1, type));
  }

  Status media_level_line(char type, std::string_view value, std::size_t number) {
    MediaSection& media = session_.media.back();
    if (type == 'c' && !media.connection) {
      auto connection = parse_connection(value, number);
      if (!connection) return connection.error();
      media.connection = std::move(*connection);
      return std::nullopt;
    }
    if (type == 'i' || type == 'b' || type == 'k') {
      media.lines.push_back(Line{type, std::string(value)});
      return std::nullopt;
    }
    return text::make_error(ErrorCode::unexpected_line, number, std::string(1, type));
  }

  // Called when a section ends: its mid, if any, must be new.
  Status check_mid() {
    if (session_.media.empty() || session_.media.back().mid.empty()) {
      return std::nullopt;
    }
    const std::string& mid = session_.media.back().mid;
    if (!mids_.insert(mid).second) {
      return text::make_error(ErrorCode::duplicate_mid, 0, mid);
    }
    return std::nullopt;
  }

  const ParseLimits& limits_;
  SessionDescription session_;
  std::set<std::string> mids_;
  std::size_t attributes_ = 0;
  std::size_t candidates_ = 0;
  bool seen_version_ = false;
  bool seen_origin_ = false;
  bool seen_name_ = false;
  bool seen_timing_ = false;
};

bool has_control_bytes(std::string_view line) {
  return std::any_of(line.begin(), line.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

// RFC 8866 section 5: "<type>=<value>" lines ending in CRLF (LF accepted, section 5).
Result<SessionDescription> parse(std::string_view sdp, const ParseLimits& limits) {
  if (sdp.size() > limits.max_size) {
    return text::make_error(ErrorCode::too_large, 0);
  }
  Parser parser(limits);
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < sdp.size()) {
    std::size_t end = sdp.find('\n', start);
    if (end == std::string_view::npos) end = sdp.size();
    std::string_view line = sdp.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    if (line.empty()) continue;  // blank lines (trailing ones are common) carry nothing
    if (line.size() > limits.max_line_length) {
      return text::make_error(ErrorCode::line_too_long, number);
    }
    if (line.size() < 2 || line[1] != '=' || has_control_bytes(line)) {
      return text::make_error(ErrorCode::bad_line, number, line);
    }
    if (Status status = parser.line(line[0], line.substr(2), number)) {
      return std::move(*status);
    }
  }
  return parser.finish();
}

}  // namespace rrtc::sdp
