#pragma once
// Join tokens: compact JWS (RFC 7515 §7.1) JWTs (RFC 7519) signed with HMAC-SHA256 ("HS256",
// RFC 7518 §3.2). Pure: the current time is a parameter; nothing is logged or thrown.
//
//   token  = BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(HMAC-SHA256(secret, h "." p))
//   header  {"alg":"HS256","typ":"JWT"}          alg must be exactly HS256; `crit` is refused
//   payload {"room":"<room>","sub":"<participant>","exp":<NumericDate>,"nbf":<NumericDate>}
//           room required (must equal join.room); sub optional (must equal join.participant,
//           or names the participant when join has none); exp required, in the future;
//           nbf optional, not in the future.
// Base64url without padding (RFC 7515 §2); the signature is compared in constant time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rrtc::signaling {

enum class JwtError {
  malformed,              // not three base64url parts, or header/payload not JSON objects
  unsupported_algorithm,  // alg other than HS256, or a `crit` header
  bad_signature,
  missing_claim,  // room or exp absent or mistyped
  expired,        // exp <= now
  not_yet_valid,  // nbf > now
};

struct JwtClaims {
  std::string room;
  std::optional<std::string> subject;  // `sub`: the participant id the token is for
  double expires_at = 0;               // `exp`, seconds since the Unix epoch
};

struct JwtResult {
  std::optional<JwtClaims> claims;  // set when the token verified
  JwtError error = JwtError::malformed;
};

JwtResult verify_hs256(std::string_view token, std::string_view secret,
                       std::chrono::system_clock::time_point now);

// Signs `payload_json` (a JSON object) as an HS256 JWT. For tests and token-issuing tools.
std::string sign_hs256(std::string_view payload_json, std::string_view secret);

std::string_view jwt_error_text(JwtError error);

std::string base64url_encode(std::string_view bytes);
// Strict: alphabet [A-Za-z0-9_-], no padding, no stray bits; nullopt on anything else.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace rrtc::signaling
