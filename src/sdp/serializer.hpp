// SessionDescription -> SDP text, CRLF line ends, attributes in the order Chrome writes them.
#pragma once

#include <string>

#include "sdp/model.hpp"

namespace rrtc::sdp {

std::string serialize(const SessionDescription& session);

}  // namespace rrtc::sdp
