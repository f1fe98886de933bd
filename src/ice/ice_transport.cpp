#include "ice/ice_transport.hpp"

namespace rrtc::ice {
namespace {

// ice-char = ALPHA / DIGIT / "+" / "/"  (RFC 8839 section 5.1)
bool all_ice_chars(std::string_view text) noexcept {
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* to_string(IceState state) noexcept {
  switch (state) {
    case IceState::New:
      return "new";
    case IceState::Checking:
      return "checking";
    case IceState::Connected:
      return "connected";
    case IceState::Failed:
      return "failed";
    case IceState::Closed:
      return "closed";
  }
  return "unknown";
}

const char* to_string(CandidateResult result) noexcept {
  switch (result) {
    case CandidateResult::Added:
      return "added";
    case CandidateResult::EndOfCandidates:
      return "end-of-candidates";
    case CandidateResult::Malformed:
      return "malformed candidate";
    case CandidateResult::WrongComponent:
      return "component must be 1 (rtcp-mux)";
    case CandidateResult::TooMany:
      return "too many candidates";
    case CandidateResult::Closed:
      return "transport closed";
  }
  return "unknown";
}

bool valid_credentials(const IceCredentials& credentials) noexcept {
  return credentials.ufrag.size() >= 4 && credentials.ufrag.size() <= 256 &&
         credentials.pwd.size() >= 22 && credentials.pwd.size() <= 256 &&
         all_ice_chars(credentials.ufrag) && all_ice_chars(credentials.pwd);
}

}  // namespace rrtc::ice
