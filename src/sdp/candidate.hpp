// ICE candidate lines, in an SDP media section or trickled alone over signaling.
#pragma once

#include <string>
#include <string_view>

#include "sdp/error.hpp"
#include "sdp/model.hpp"

namespace rrtc::sdp {

// Parses "candidate:..." with or without the "a=" prefix (trickle sends it either way).
// `line` is only used in the error.
Result<Candidate> parse_candidate(std::string_view text, std::size_t line = 0);

// "candidate:<foundation> <component> ..." without "a=" and without a line break.
std::string to_string(const Candidate& candidate);

}  // namespace rrtc::sdp
