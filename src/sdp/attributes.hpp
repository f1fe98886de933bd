// Parsers of single attribute values, shared by the session and media levels (internal).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "sdp/error.hpp"
#include "sdp/model.hpp"

namespace rrtc::sdp::detail {

// nullopt on success.
using Status = std::optional<Error>;

std::optional<Direction> direction_from_name(std::string_view name);
Result<Fingerprint> parse_fingerprint(std::string_view value, std::size_t line);
Result<Setup> parse_setup(std::string_view value, std::size_t line);
Result<Group> parse_group(std::string_view value, std::size_t line);
Result<Extmap> parse_extmap(std::string_view value, std::size_t line);
Status parse_ice_credential(std::string_view value, std::size_t line, std::string& out);

// Applies one a= line of a media section to `media`; unknown names go to other_attributes.
Status apply_media_attribute(MediaSection& media, const Attribute& attribute, std::size_t line);

}  // namespace rrtc::sdp::detail
