// libFuzzer target: SDP and trickled candidate parsing.
// Checks: no crash; whatever parses serializes to text that parses to an equal model, and the
// serializer is a fixed point. A candidate that parses writes back to an equal candidate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sdp/candidate.hpp"
#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"

namespace {

// Writing may grow the text (LF -> CRLF, fmtp lines merged per payload type), so the second
// parse gets room for that; the first parse uses the production limits.
rrtc::sdp::ParseLimits roomy_limits() {
  rrtc::sdp::ParseLimits limits;
  limits.max_size *= 4;
  limits.max_line_length = limits.max_size;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto candidate = rrtc::sdp::parse_candidate(text)) {
    auto again = rrtc::sdp::parse_candidate(rrtc::sdp::to_string(*candidate));
    if (!again || !(*again == *candidate)) __builtin_trap();
  }
  auto parsed = rrtc::sdp::parse(text);
  if (!parsed) {
    if (parsed.error().message().empty()) __builtin_trap();
    return 0;
  }
  const std::string written = rrtc::sdp::serialize(*parsed);
  auto reparsed = rrtc::sdp::parse(written, roomy_limits());
  if (!reparsed || !(*reparsed == *parsed)) __builtin_trap();
  if (rrtc::sdp::serialize(*reparsed) != written) __builtin_trap();
  return 0;
}
