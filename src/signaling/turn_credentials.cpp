#include "signaling/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

namespace rrtc::signaling {
namespace {

bool is_turn_url(std::string_view url) {
  return url.starts_with("turn:") || url.starts_with("turns:");
}

std::string base64(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes,
                                      static_cast<int>(size));
  out.resize(static_cast<std::size_t>(std::max(written, 0)));
  return out;
}

}  // namespace

TurnCredential turn_credential(std::string_view secret, std::string_view user,
                               std::chrono::system_clock::time_point expires_at) {
  const auto expiry =
      std::chrono::duration_cast<std::chrono::seconds>(expires_at.time_since_epoch()).count();
  TurnCredential result;
  result.username = std::to_string(expiry) + ":" + std::string(user);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(result.username.data()), result.username.size(),
       mac.data(), &length);
  result.credential = base64(mac.data(), length);
  return result;
}

std::vector<IceServer> ice_servers_for(const ServerOptions& options, std::string_view participant,
                                       std::chrono::system_clock::time_point now) {
  std::vector<IceServer> servers = options.ice_servers;
  if (options.turn_secret.empty()) return servers;
  const auto credential =
      turn_credential(options.turn_secret, participant, now + options.turn_credential_ttl);
  for (auto& server : servers) {
    if (!server.username.empty()) continue;
    if (std::none_of(server.urls.begin(), server.urls.end(), is_turn_url)) continue;
    server.username = credential.username;
    server.credential = credential.credential;
  }
  return servers;
}

}  // namespace rrtc::signaling
