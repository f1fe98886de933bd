#pragma once
// A syntactic view of one ICE candidate line, used to vet peer input before it reaches libnice
// and to read a candidate's type (tests filter relay candidates with it). Never throws, never
// logs; views point into the caller's string.

#include <cstdint>
#include <optional>
#include <string_view>

namespace rrtc::ice {

// Longest candidate line we accept. Real ones are under 200 characters; the bound keeps a peer
// from making us parse or store kilobytes per candidate.
inline constexpr std::size_t kMaxCandidateLineSize = 512;

enum class CandidateLineError {
  None,
  Empty,
  TooLong,
  BadCharacter,  // control characters, line breaks or non-ASCII bytes
  NoPrefix,      // does not start with "candidate:" (after an optional "a=")
  MissingField,
  BadFoundation,
  BadComponent,
  BadTransport,
  BadPriority,
  BadAddress,
  BadPort,
  BadType,
};

const char* to_string(CandidateLineError error) noexcept;

struct CandidateLine {
  std::string_view foundation;
  uint32_t component = 0;
  std::string_view transport;  // "udp" or "tcp", as written (case-insensitive on the wire)
  uint32_t priority = 0;
  std::string_view address;  // IP literal or hostname (mDNS names end in ".local")
  uint16_t port = 0;
  std::string_view type;  // "host", "srflx", "prflx" or "relay"
};

// "a=candidate:..." -> "candidate:..."; anything else is returned unchanged.
std::string_view strip_attribute_prefix(std::string_view line) noexcept;

// RFC 8839 section 5.1:
//   candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority SP
//                         connection-address SP port SP cand-type [SP rel-addr] [SP rel-port]
//                         *(SP cand-extension)
//   foundation = 1*32ice-char      component-id = 1*3DIGIT     transport = "UDP" / token
//   priority = 1*10DIGIT           cand-type = "typ" SP ("host" / "srflx" / "prflx" / "relay" /
//   token)
// Accepts the line with or without "a="; the optional tail (raddr, rport, extensions) is not
// examined beyond the character check.
std::optional<CandidateLine> parse_candidate_line(std::string_view line,
                                                  CandidateLineError* error = nullptr) noexcept;

}  // namespace rrtc::ice
