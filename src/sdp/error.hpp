// Error codes of the SDP parser and the negotiator. The signaling layer turns any of them into
// an `error` reply with code 400 and `message()` as its text (PROTOCOL.md).
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rrtc::sdp {

enum class ErrorCode : std::uint8_t {
  // Bounds.
  empty,
  too_large,
  line_too_long,
  too_many_media_sections,
  too_many_candidates,
  too_many_attributes,
  // Syntax.
  bad_line,
  unexpected_line,
  bad_version,
  missing_origin,
  bad_origin,
  missing_session_name,
  missing_timing,
  bad_connection,
  bad_media_line,
  bad_attribute,
  bad_rtpmap,
  bad_fmtp,
  bad_rtcp_fb,
  bad_extmap,
  bad_ssrc,
  bad_ssrc_group,
  bad_rid,
  bad_simulcast,
  bad_candidate,
  bad_fingerprint,
  bad_setup,
  bad_group,
  bad_msid,
  bad_mid,
  bad_sctp,
  bad_ice_credentials,
  duplicate_mid,
  // Negotiation.
  no_media,
  missing_bundle,
  missing_mid,
  missing_ice_credentials,
  missing_fingerprint,
  unusable_fingerprint,
  bad_dtls_role,
  missing_rtcp_mux,
  mline_count_mismatch,
  mid_mismatch,
  codec_changed,
  no_pending_offer,
};

// Stable human-readable text for one code, e.g. "offer has no a=group:BUNDLE".
std::string_view describe(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::bad_line;
  std::size_t line = 0;  // 1-based line of the SDP text; 0 when not tied to a line
  std::string detail;    // the offending token or mid, cut to a few dozen bytes

  // "SDP line 12: bad a=rtpmap (\"96 VP8\")"
  std::string message() const;
  bool operator==(const Error&) const = default;
};

// Lets boost::system::result<T, Error>::value() report a failure; our code checks has_value().
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace rrtc::sdp
