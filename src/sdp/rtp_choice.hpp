// Per m-line choice of codecs and header extensions (internal to rrtc_sdp).
#pragma once

#include <vector>

#include "sdp/capabilities.hpp"
#include "sdp/negotiator.hpp"

namespace rrtc::sdp::detail {

struct RtpChoice {
  std::vector<NegotiatedCodec> codecs;
  std::vector<Extmap> extensions;
};

// Codecs in the server's preference order, each with its RTX; RED last when it carries only
// accepted codecs. Extensions the server supports for the m-line's kind, with the client's ids:
// ids are read per m-line, so one id naming two extensions in two m-lines (aiortc) is fine.
RtpChoice choose_rtp(const MediaSection& offered, const Capabilities& capabilities);

// The m-line's codecs as the answer writes them: each chosen codec, then its RTX.
std::vector<Codec> answer_codecs(const MediaSection& offered, const RtpChoice& choice);

}  // namespace rrtc::sdp::detail
