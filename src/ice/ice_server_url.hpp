#pragma once
// STUN and TURN server URLs as configured ("stun:host:port", "turn:host:port?transport=tcp",
// "turns:host:port"). A parser: never throws, never logs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rrtc::ice {

enum class IceServerScheme { Stun, Stuns, Turn, Turns };

// How we reach the TURN server (RFC 8656 section 3.1): UDP, TCP, or TLS over TCP.
enum class RelayTransport { Udp, Tcp, Tls };

enum class IceServerUrlError {
  None,
  TooLong,
  BadScheme,
  BadHost,
  BadPort,
  BadQuery,
  Unsupported,  // stuns:, or turns: over DTLS: libnice cannot use them
};

const char* to_string(IceServerUrlError error) noexcept;

struct IceServerUrl {
  IceServerScheme scheme = IceServerScheme::Stun;
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 0;
  RelayTransport transport = RelayTransport::Udp;  // meaningful for turn: and turns:

  bool is_turn() const noexcept {
    return scheme == IceServerScheme::Turn || scheme == IceServerScheme::Turns;
  }
};

// RFC 7064 section 3.1 and RFC 7065 section 3.1:
//   stunURI = scheme ":" host [ ":" port ]          scheme = "stun" / "stuns"
//   turnURI = scheme ":" host [ ":" port ] [ "?transport=" transport ]
//   scheme  = "turn" / "turns"                      transport = "udp" / "tcp" / transport-ext
//   host    = IP-literal / IPv4address / reg-name   (IP-literal = "[" IPv6address "]")
// Default ports 3478 (stun, turn) and 5349 (stuns, turns). turn: defaults to UDP, turns: to TLS.
std::optional<IceServerUrl> parse_ice_server_url(std::string_view url,
                                                 IceServerUrlError* error = nullptr);

}  // namespace rrtc::ice
