// SDP text -> SessionDescription (RFC 8866 with the WebRTC attributes of RFC 8829).
// Accepts what Chrome, Firefox, Safari and aiortc write: CRLF or LF line ends, attributes in any
// order, fmtp / rtcp-fb before or after their rtpmap. Every input is bounded by ParseLimits.
// Never throws, never logs.
#pragma once

#include <cstddef>
#include <string_view>

#include "sdp/error.hpp"
#include "sdp/model.hpp"

namespace rrtc::sdp {

struct ParseLimits {
  std::size_t max_size = 128 * 1024;
  std::size_t max_line_length = 4096;
  std::size_t max_media_sections = 64;
  std::size_t max_candidates = 256;  // over the whole description
  std::size_t max_attributes_per_section = 1024;
};

Result<SessionDescription> parse(std::string_view sdp, const ParseLimits& limits = {});

}  // namespace rrtc::sdp
