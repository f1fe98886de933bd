// Trickled candidate lines arrive from clients over signaling: parse_candidate_line must never
// read past its input, and what it accepts must hold together.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ice/candidate_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  rrtc::ice::CandidateLineError error = rrtc::ice::CandidateLineError::None;
  auto parsed = rrtc::ice::parse_candidate_line(line, &error);
  if (parsed) {
    // Accepted: no error reported, every view points inside the input, the fields are set.
    if (error != rrtc::ice::CandidateLineError::None) std::abort();
    const char* begin = line.data();
    const char* end = begin + line.size();
    for (std::string_view field : {parsed->foundation, parsed->transport, parsed->address,
                                   parsed->type}) {
      if (field.empty() || field.data() < begin || field.data() + field.size() > end) {
        std::abort();
      }
    }
    if (line.size() > rrtc::ice::kMaxCandidateLineSize) std::abort();
  } else if (error == rrtc::ice::CandidateLineError::None) {
    std::abort();  // a rejection always says why
  }
  return 0;
}
