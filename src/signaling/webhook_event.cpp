#include "signaling/webhook_event.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <stdexcept>

#include "signaling/messages.hpp"

namespace rrtc::signaling {
namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

// A JSON string literal, escaped by Boost.JSON.
std::string quoted(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

// Unix seconds with three decimals, written by hand: Boost.JSON would print a double as
// 1.733482097123E9, legal but awkward for receivers that read it by eye.
std::string unix_seconds(std::chrono::system_clock::time_point at) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  if (ms < 0) ms = 0;
  return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
}

}  // namespace

std::string webhook_event_id() {
  std::array<unsigned char, 16> bytes{};
  // RAND_bytes fails only when the generator cannot be seeded, which start-up would have hit
  // first (DTLS keys); an id without randomness must not go out, so this is fatal.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return hex(bytes.data(), bytes.size());
}

std::string webhook_body(const RoomEvent& event, std::string_view id, std::string_view name) {
  std::string out;
  out.reserve(256);
  out += "{\"id\":";
  out += quoted(id);
  out += ",\"event\":";
  out += quoted(to_string(event.kind));
  out += ",\"created_at\":";
  out += unix_seconds(event.at);
  out += ",\"room\":";
  out += quoted(event.room);
  if (!event.participant.empty()) {
    out += ",\"participant\":{\"id\":";
    out += quoted(event.participant);
    if (!name.empty()) {
      out += ",\"name\":";
      out += quoted(name);
    }
    out += '}';
  }
  if (event.track) {
    const auto& t = *event.track;
    out += ",\"track\":{\"track_id\":";
    out += quoted(t.track_id);
    out += ",\"mid\":";
    out += quoted(t.mid);
    out += ",\"type\":";
    out += quoted(track_type_name(t.type));
    out += ",\"codec\":";
    out += quoted(t.codec);
    out += '}';
  }
  out += '}';
  return out;
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  std::array<unsigned char, 32> mac{};
  unsigned int length = 0;
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const void* key = secret.empty() ? &kEmpty : static_cast<const void*>(secret.data());
  HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(), &length);
  return "sha256=" + hex(mac.data(), length);
}

std::string WebhookUrl::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::optional<WebhookUrl> parse_webhook_url(std::string_view text) {
  WebhookUrl url;
  if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else if (text.starts_with("https://")) {
    text.remove_prefix(8);
    url.tls = true;
    url.port = 443;
  } else {
    return std::nullopt;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '#') return std::nullopt;
  }
  auto path_at = text.find_first_of("/?");
  std::string_view authority = text.substr(0, path_at);
  if (path_at != std::string_view::npos) {
    url.target = std::string(text.substr(path_at));
    if (url.target.front() == '?') url.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
  }
  if (url.host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace rrtc::signaling
