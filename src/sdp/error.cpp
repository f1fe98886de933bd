#include "sdp/error.hpp"

#include <stdexcept>

namespace rrtc::sdp {

std::string_view describe(ErrorCode code) {
  switch (code) {
    case ErrorCode::empty:
      return "SDP is empty";
    case ErrorCode::too_large:
      return "SDP is larger than the limit";
    case ErrorCode::line_too_long:
      return "SDP line is longer than the limit";
    case ErrorCode::too_many_media_sections:
      return "SDP has more m-lines than the limit";
    case ErrorCode::too_many_candidates:
      return "SDP has more candidates than the limit";
    case ErrorCode::too_many_attributes:
      return "SDP section has more attributes than the limit";
    case ErrorCode::bad_line:
      return "SDP line is not of the form <type>=<value>";
    case ErrorCode::unexpected_line:
      return "SDP line type is unknown or out of order";
    case ErrorCode::bad_version:
      return "SDP must start with v=0";
    case ErrorCode::missing_origin:
      return "SDP has no o= line";
    case ErrorCode::bad_origin:
      return "bad o= line";
    case ErrorCode::missing_session_name:
      return "SDP has no s= line";
    case ErrorCode::missing_timing:
      return "SDP has no t= line";
    case ErrorCode::bad_connection:
      return "bad c= line";
    case ErrorCode::bad_media_line:
      return "bad m= line";
    case ErrorCode::bad_attribute:
      return "bad attribute";
    case ErrorCode::bad_rtpmap:
      return "bad a=rtpmap";
    case ErrorCode::bad_fmtp:
      return "bad a=fmtp";
    case ErrorCode::bad_rtcp_fb:
      return "bad a=rtcp-fb";
    case ErrorCode::bad_extmap:
      return "bad a=extmap";
    case ErrorCode::bad_ssrc:
      return "bad a=ssrc";
    case ErrorCode::bad_ssrc_group:
      return "bad a=ssrc-group";
    case ErrorCode::bad_rid:
      return "bad a=rid";
    case ErrorCode::bad_simulcast:
      return "bad a=simulcast";
    case ErrorCode::bad_candidate:
      return "bad a=candidate";
    case ErrorCode::bad_fingerprint:
      return "bad a=fingerprint";
    case ErrorCode::bad_setup:
      return "bad a=setup";
    case ErrorCode::bad_group:
      return "bad a=group";
    case ErrorCode::bad_msid:
      return "bad a=msid";
    case ErrorCode::bad_mid:
      return "bad a=mid";
    case ErrorCode::bad_sctp:
      return "bad a=sctp-port, a=sctpmap or a=max-message-size";
    case ErrorCode::bad_ice_credentials:
      return "bad a=ice-ufrag or a=ice-pwd";
    case ErrorCode::duplicate_mid:
      return "two m-lines have the same a=mid";
    case ErrorCode::no_media:
      return "offer has no m-line";
    case ErrorCode::missing_bundle:
      return "offer has no usable a=group:BUNDLE";
    case ErrorCode::missing_mid:
      return "m-line has no a=mid";
    case ErrorCode::missing_ice_credentials:
      return "SDP has no a=ice-ufrag / a=ice-pwd";
    case ErrorCode::missing_fingerprint:
      return "SDP has no a=fingerprint";
    case ErrorCode::unusable_fingerprint:
      return "a=fingerprint uses an unknown hash or has the wrong length";
    case ErrorCode::bad_dtls_role:
      return "a=setup does not allow the DTLS role the server takes";
    case ErrorCode::missing_rtcp_mux:
      return "the BUNDLE-tagged m-line has no a=rtcp-mux";
    case ErrorCode::mline_count_mismatch:
      return "answer and offer have different m-line counts";
    case ErrorCode::mid_mismatch:
      return "answer m-line mid differs from the offer";
    case ErrorCode::codec_changed:
      return "answer maps an offered payload type to another codec";
    case ErrorCode::no_pending_offer:
      return "answer arrived but no server offer is outstanding";
  }
  return "SDP error";
}

std::string Error::message() const {
  std::string text;
  if (line != 0) {
    text = "SDP line " + std::to_string(line) + ": ";
  }
  text += describe(code);
  if (!detail.empty()) {
    text += " (\"" + detail + "\")";
  }
  return text;
}

void throw_exception_from_error(const Error& error, const boost::source_location& /*loc*/) {
  throw std::invalid_argument(error.message());
}

}  // namespace rrtc::sdp
