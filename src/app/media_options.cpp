#include "app/media_options.hpp"

namespace rrtc::app {

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
    options.ice.relay_only = config.turn->relay_only;
  }
  options.limits.remb_max_bitrate = config.remb_max_bitrate;
  options.limits.connect_timeout = config.connect_timeout;
  options.limits.max_track_packets_per_second = config.max_track_packets_per_second;
  options.limits.max_track_bitrate = config.max_track_bitrate;
  options.limits.max_data_messages_per_second = config.max_data_messages_per_second;
  options.limits.max_data_bytes_per_second = config.max_data_bytes_per_second;
  options.limits.retransmit_budget_percent = config.retransmit_budget_percent;
  options.io_uring = config.io_uring;
  options.ice.controlling = false;  // the server is the controlled agent
  return options;
}

}  // namespace rrtc::app
