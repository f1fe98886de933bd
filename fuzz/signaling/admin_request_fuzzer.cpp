// An admin API request's parts -> route, bearer token, bodies, track ids, admin token verdict.
// Never crashes; decoded path segments are bounded and hold no NUL; a route names its room
// (and participant) whenever its endpoint needs them; a token accepted under the secret is
// rejected under another secret and under another api_key; a minted token verifies.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signaling/admin_json.hpp"
#include "signaling/admin_route.hpp"
#include "signaling/jwt.hpp"

namespace {

using namespace rrtc::signaling;
namespace http = boost::beast::http;

constexpr std::string_view kSecret = "fuzz-api-secret-fuzz-api-secret-";
constexpr std::string_view kApiKey = "fuzz-key";

// Splits off the text up to the next '\n' (all of it when there is none).
std::string_view next_line(std::string_view& input) {
  const auto newline = input.find('\n');
  std::string_view line = input.substr(0, newline);
  input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  return line;
}

void check_route(http::verb method, std::string_view target) {
  const auto match = match_admin_route(method, target);
  if (!match.route) {
    if (match.status != 404 && match.status != 405) std::abort();
    if (match.status == 405 && match.allow.empty()) std::abort();
    return;
  }
  if (!is_admin_path(target)) std::abort();
  const auto& route = *match.route;
  switch (route.endpoint) {
    case AdminEndpoint::list_rooms:
    case AdminEndpoint::create_token:
      return;
    case AdminEndpoint::get_room:
    case AdminEndpoint::close_room:
      if (route.room.empty()) std::abort();
      return;
    case AdminEndpoint::remove_participant:
    case AdminEndpoint::mute_participant:
      if (route.room.empty() || route.participant.empty()) std::abort();
      return;
  }
}

void check_token(std::string_view authorization) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  const auto token = bearer_token(authorization);
  if (!token) return;
  const auto verdict = verify_admin_token(*token, kSecret, kApiKey, now);
  if (!verdict.claims) return;
  if (verdict.claims->issuer != kApiKey) std::abort();
  if (verify_admin_token(*token, std::string(kSecret) + "x", kApiKey, now).claims) std::abort();
  if (verify_admin_token(*token, kSecret, "other-key", now).claims) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Line 1: method name; line 2: target; line 3: Authorization header; the rest: the body.
  const auto method = http::string_to_verb(next_line(input));
  const auto target = next_line(input);
  const auto authorization = next_line(input);
  const auto body = input;

  check_route(method, target);
  for (std::size_t max : {std::size_t{1}, std::size_t{128}}) {
    if (auto segment = decode_path_segment(target, max)) {
      if (segment->empty() || segment->size() > max) std::abort();
      if (segment->find('\0') != std::string::npos) std::abort();
    }
  }
  check_token(authorization);

  const auto mute = parse_mute_body(body);
  if (mute.value.has_value() == !mute.error.empty()) std::abort();
  const auto token = parse_token_body(body);
  if (token.value.has_value() == !token.error.empty()) std::abort();
  if (token.value && token.value->room.empty()) std::abort();
  (void)track_type_of(body, target);

  // A minted token verifies until it expires.
  const auto minted = make_admin_token(kApiKey, 1'700'000'060, kSecret);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  if (!verify_admin_token(minted, kSecret, kApiKey, now).claims) std::abort();
  return 0;
}
