#pragma once
// ICE settings as the configuration gives them (IceOptions), and as NiceTransport uses them
// (IceConfig: names resolved, URLs parsed, every value checked). resolve_ice_config runs once at
// start-up, so no worker ever does a blocking lookup when a participant joins.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ice/ice_server_url.hpp"

namespace rrtc::ice {

// Long-term TURN credentials made afresh for each agent (coturn's use-auth-secret: they expire),
// from the wall-clock time the agent is created. Called on the worker thread that creates the
// agent, by every worker: it must be safe to call concurrently (capture values only).
struct TurnCredentials {
  std::string username;
  std::string credential;
};
using MintTurnCredentials =
    std::function<TurnCredentials(std::chrono::system_clock::time_point now)>;

struct IceOptions {
  // Interface names ("eth0", "lo") or IP addresses to gather host candidates on. Empty: libnice's
  // default, every non-loopback interface. 127.0.0.1 (or "lo") must be listed for loopback
  // candidates: libnice leaves loopback out unless told.
  std::vector<std::string> interfaces;
  // 1:1 NAT: the public address announced instead of the local address in host candidates.
  std::string public_ip;
  // Local UDP port range for host candidates; 0/0 lets the kernel choose.
  uint16_t min_port = 0;
  uint16_t max_port = 0;
  std::string stun_url;  // "stun:host[:port]"; empty: no server-reflexive candidates
  struct Turn {
    std::string url;  // "turn:host[:port][?transport=udp|tcp]" or "turns:host[:port]"
    std::string username;
    std::string credential;
    MintTurnCredentials mint;  // set: replaces username and credential for each agent
  } turn;
  bool controlling = false;  // the server is the controlled agent; clients and load generators not
  // Gather and use relayed candidates only (libnice's force-relay): for clients that must hide
  // their addresses, and for a server whose media must all go through its TURN server
  // ([turn] ice_transport_policy = "relay").
  bool relay_only = false;
};

struct ResolvedServer {
  std::string ip;  // an IP literal: libnice does not resolve names itself
  uint16_t port = 0;
};

struct ResolvedTurn {
  ResolvedServer server;
  RelayTransport transport = RelayTransport::Udp;
  std::string username;
  std::string credential;
  MintTurnCredentials mint;  // set: each agent gets its own credentials (transport does it)
};

struct IceConfig {
  std::vector<std::string> local_addresses;  // IP literals; empty = libnice's default
  std::string public_ip;                     // IP literal or empty
  uint16_t min_port = 0;
  uint16_t max_port = 0;
  std::optional<ResolvedServer> stun;
  std::optional<ResolvedTurn> turn;
  bool controlling = false;
  bool relay_only = false;
};

// Checks and resolves the options (getifaddrs for interface names, getaddrinfo for server host
// names: blocking, hence start-up only). Throws std::invalid_argument with a message naming the
// bad setting.
IceConfig resolve_ice_config(const IceOptions& options);

}  // namespace rrtc::ice
