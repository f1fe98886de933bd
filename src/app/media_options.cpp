#include "app/media_options.hpp"

#include "signaling/turn_credentials.hpp"

namespace rrtc::app {

namespace {

// The TURN REST user name of rrtc's own allocations: "<expiry>:rrtc" in coturn's logs.
constexpr std::string_view kServerTurnUser = "rrtc";

// rrtc's own relay on a TURN server that takes ephemeral credentials (turn_secret set, no
// [turn] username): each new Peer's agent gets credentials valid for turn_credential_ttl from
// its creation, so a server running longer than the TTL keeps relaying new Peers.
transport::MintTurnCredentials server_turn_credentials(const Config& config) {
  return [secret = config.turn_secret,
          ttl = config.turn_credential_ttl](std::chrono::system_clock::time_point now) {
    auto minted = signaling::turn_credential(secret, kServerTurnUser, now + ttl);
    return transport::TurnCredentials{std::move(minted.username), std::move(minted.credential)};
  };
}

}  // namespace

engine::MediaEngineOptions to_media_options(const Config& config) {
  engine::MediaEngineOptions options;
  options.workers = config.workers;  // 0: one per core, resolved by the engine
  options.ice.interfaces = config.interfaces;
  options.ice.public_ip = config.public_ip;
  options.ice.min_port = config.rtc_min_port;
  options.ice.max_port = config.rtc_max_port;
  options.ice.stun_url = config.stun;
  if (config.turn) {
    options.ice.turn.url = config.turn->url;
    options.ice.turn.username = config.turn->username;
    options.ice.turn.credential = config.turn->credential;
    if (!config.turn->url.empty() && config.turn->username.empty() && !config.turn_secret.empty()) {
      options.ice.turn.mint = server_turn_credentials(config);
    }
    options.ice.relay_only = config.turn->relay_only;
  }
  options.limits.remb_max_bitrate = config.remb_max_bitrate;
  options.limits.connect_timeout = config.connect_timeout;
  options.limits.max_track_packets_per_second = config.max_track_packets_per_second;
  options.limits.max_track_bitrate = config.max_track_bitrate;
  options.limits.max_data_messages_per_second = config.max_data_messages_per_second;
  options.limits.max_data_bytes_per_second = config.max_data_bytes_per_second;
  options.limits.retransmit_budget_percent = config.retransmit_budget_percent;
  options.limits.pacing_percent = config.pacing_percent;
  options.limits.spread_min_subscribers = config.spread_min_subscribers;
  options.io_uring = config.io_uring;
  options.ice.controlling = false;  // the server is the controlled agent
  return options;
}

}  // namespace rrtc::app
