// token + secret -> verdict. Never crashes; a token accepted under a secret is rejected under a
// different one, and re-signing the accepted payload gives a token that verifies the same.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signaling/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rrtc::signaling;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // First line: the secret; the rest: the token.
  auto newline = input.find('\n');
  std::string_view secret = newline == std::string_view::npos ? "" : input.substr(0, newline);
  std::string_view token = newline == std::string_view::npos ? input : input.substr(newline + 1);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

  auto verdict = verify_hs256(token, secret, now);
  if (verdict.claims) {
    if (verify_hs256(token, std::string(secret) + "x", now).claims) std::abort();
    auto payload =
        base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
    if (!payload) std::abort();
    auto resigned = verify_hs256(sign_hs256(*payload, secret), secret, now);
    if (!resigned.claims || resigned.claims->room != verdict.claims->room ||
        resigned.claims->subject != verdict.claims->subject) {
      std::abort();
    }
  }
  auto encoded = base64url_encode(token);
  auto decoded = base64url_decode(encoded);
  if (!decoded || *decoded != token) std::abort();
  return 0;
}
