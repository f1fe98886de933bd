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
//
// Admin tokens (docs/admin-api.md) are the same HS256 JWS signed with api_secret:
//   payload {"iss":"<api_key>","exp":<NumericDate>,"nbf":<NumericDate>}
//           iss required and equal to api_key (so a join token, signed with another secret and
//           carrying no iss, is never an admin token); exp required; nbf optional.

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
  wrong_issuer,   // admin token: `iss` is not the configured api_key
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

struct AdminClaims {
  std::string issuer;     // `iss`: the api_key
  double expires_at = 0;  // `exp`
};

struct AdminJwtResult {
  std::optional<AdminClaims> claims;  // set when the token verified
  JwtError error = JwtError::malformed;
};

// Verifies an admin bearer token: HS256 under `secret` (api_secret), `iss` == `api_key`, `exp`
// in the future, `nbf` (when present) not.
AdminJwtResult verify_admin_token(std::string_view token, std::string_view secret,
                                  std::string_view api_key,
                                  std::chrono::system_clock::time_point now);

// Signs `payload_json` (a JSON object) as an HS256 JWT. For tests and token-issuing tools.
std::string sign_hs256(std::string_view payload_json, std::string_view secret);

// A join token for `room`, for the participant `subject` when given, valid until
// `expires_at` (Unix seconds): what `POST /api/tokens` and `rrtc token` issue.
std::string make_join_token(std::string_view room, std::optional<std::string_view> subject,
                            std::int64_t expires_at, std::string_view secret);
// An admin bearer token for `api_key`, valid until `expires_at` (Unix seconds).
std::string make_admin_token(std::string_view api_key, std::int64_t expires_at,
                             std::string_view secret);

// Why a join token was refused, for the `error` message.
std::string_view jwt_error_text(JwtError error);
// Why an admin token was refused, for the 401 body.
std::string_view admin_token_error_text(JwtError error);

std::string base64url_encode(std::string_view bytes);
// Strict: alphabet [A-Za-z0-9_-], no padding, no stray bits; nullopt on anything else.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace rrtc::signaling
