#include "signaling/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>

namespace rrtc::signaling {
namespace json = boost::json;

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  unsigned int length = 0;
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return mac;
}

std::optional<json::object> decode_object(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  json::value v = json::parse(*bytes, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::optional<double> number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

JwtResult failure(JwtError error) {
  JwtResult r;
  r.error = error;
  return r;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                      (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (rest == 2) out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

// The part both token kinds share: three parts, JSON header and payload, alg HS256 and no
// `crit`, then the signature under `secret`. The payload when all of that holds.
std::optional<json::object> verified_payload(std::string_view token, std::string_view secret,
                                             JwtError& error) {
  error = JwtError::malformed;
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = decode_object(token.substr(0, dot1));
  auto payload = decode_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !payload || !signature) return std::nullopt;

  // The algorithm is ours to fix, never the token's: anything but HS256 (alg "none", RS256
  // confusion, ...) is refused before any signature work.
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256" ||
      header->contains("crit")) {
    error = JwtError::unsupported_algorithm;
    return std::nullopt;
  }
  auto mac = hmac_sha256(secret, token.substr(0, dot2));
  if (signature->size() != mac.size() ||
      CRYPTO_memcmp(signature->data(), mac.data(), mac.size()) != 0) {
    error = JwtError::bad_signature;
    return std::nullopt;
  }
  return payload;
}

// exp in the future and nbf (when present) not: nullopt when both hold.
std::optional<JwtError> check_times(const json::object& payload, double exp,
                                    std::chrono::system_clock::time_point now) {
  double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (exp <= now_seconds) return JwtError::expired;
  if (payload.contains("nbf")) {
    auto nbf = number(payload, "nbf");
    if (!nbf) return JwtError::missing_claim;
    if (*nbf > now_seconds) return JwtError::not_yet_valid;
  }
  return std::nullopt;
}

}  // namespace

JwtResult verify_hs256(std::string_view token, std::string_view secret,
                       std::chrono::system_clock::time_point now) {
  JwtError error = JwtError::malformed;
  auto payload = verified_payload(token, secret, error);
  if (!payload) return failure(error);
  const json::value* room = payload->if_contains("room");
  const json::value* sub = payload->if_contains("sub");
  auto exp = number(*payload, "exp");
  if (room == nullptr || !room->is_string() || !exp ||
      (sub != nullptr && !sub->is_string() && !sub->is_null())) {
    return failure(JwtError::missing_claim);
  }
  if (auto bad = check_times(*payload, *exp, now)) return failure(*bad);
  JwtClaims claims;
  claims.room = std::string(room->get_string());
  if (sub != nullptr && sub->is_string()) claims.subject = std::string(sub->get_string());
  claims.expires_at = *exp;
  JwtResult result;
  result.claims = std::move(claims);
  return result;
}

AdminJwtResult verify_admin_token(std::string_view token, std::string_view secret,
                                  std::string_view api_key,
                                  std::chrono::system_clock::time_point now) {
  AdminJwtResult result;
  auto payload = verified_payload(token, secret, result.error);
  if (!payload) return result;
  const json::value* iss = payload->if_contains("iss");
  auto exp = number(*payload, "exp");
  if (iss == nullptr || !iss->is_string() || !exp) {
    result.error = JwtError::missing_claim;
    return result;
  }
  // Compared in constant time too: the key is not secret, but nothing is lost by it.
  std::string_view issuer = iss->get_string();
  if (issuer.size() != api_key.size() ||
      CRYPTO_memcmp(issuer.data(), api_key.data(), api_key.size()) != 0) {
    result.error = JwtError::wrong_issuer;
    return result;
  }
  if (auto bad = check_times(*payload, *exp, now)) {
    result.error = *bad;
    return result;
  }
  result.claims = AdminClaims{std::string(issuer), *exp};
  return result;
}

std::string sign_hs256(std::string_view payload_json, std::string_view secret) {
  std::string signing_input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(payload_json);
  auto mac = hmac_sha256(secret, signing_input);
  return signing_input + "." +
         base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string make_join_token(std::string_view room, std::optional<std::string_view> subject,
                            std::int64_t expires_at, std::string_view secret) {
  json::object payload{{"room", room}};
  if (subject) payload["sub"] = *subject;
  payload["exp"] = expires_at;
  return sign_hs256(json::serialize(payload), secret);
}

std::string make_admin_token(std::string_view api_key, std::int64_t expires_at,
                             std::string_view secret) {
  return sign_hs256(json::serialize(json::object{{"iss", api_key}, {"exp", expires_at}}), secret);
}

std::string_view admin_token_error_text(JwtError error) {
  switch (error) {
    case JwtError::malformed:
      return "API token is malformed";
    case JwtError::unsupported_algorithm:
      return "API token algorithm must be HS256";
    case JwtError::bad_signature:
      return "API token signature is invalid";
    case JwtError::missing_claim:
      return "API token lacks a valid 'iss' or 'exp' claim";
    case JwtError::expired:
      return "API token has expired";
    case JwtError::not_yet_valid:
      return "API token is not valid yet";
    case JwtError::wrong_issuer:
      return "API token was issued for another API key";
  }
  return "API token is invalid";
}

std::string_view jwt_error_text(JwtError error) {
  switch (error) {
    case JwtError::malformed:
      return "join token is malformed";
    case JwtError::unsupported_algorithm:
      return "join token algorithm must be HS256";
    case JwtError::bad_signature:
      return "join token signature is invalid";
    case JwtError::missing_claim:
      return "join token lacks a valid 'room' or 'exp' claim";
    case JwtError::expired:
      return "join token has expired";
    case JwtError::not_yet_valid:
      return "join token is not valid yet";
    case JwtError::wrong_issuer:
      return "join token has a wrong issuer";
  }
  return "join token is invalid";
}

}  // namespace rrtc::signaling
