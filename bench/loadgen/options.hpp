#pragma once
// rrtc-loadgen's command line (Boost.Program_options) and the scenarios it names.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_sdp.hpp"
#include "media_config.hpp"

namespace rrtc::loadgen {

enum class Scenario { fixed, ramp, join_storm, bigroom };

struct Options {
  std::string url = "ws://127.0.0.1:8080/ws";
  std::string scenario_name = "1to1";
  Scenario scenario = Scenario::fixed;
  double duration_s = 10;  // one measurement window (each ramp step)
  double warmup_s = 2;     // media flowing before a window opens
  double drain_s = 0.5;    // after a window closes, for packets in flight
  double connect_timeout_s = 30;
  double media_timeout_s = 5;  // waiting for forwarded media before measuring anyway
  unsigned rooms = 1;
  unsigned publishers = 1;   // per room
  unsigned subscribers = 1;  // per room, receive only
  MediaConfig media;
  std::string json_path;
  int server_pid = 0;  // 0: the process listening on the URL's port
  unsigned threads = 1;
  double join_rate = 100;  // joins per second while building rooms
  // ramp: rooms of `publishers` + `subscribers` people added `ramp_step` at a time
  unsigned ramp_step = 1;
  unsigned ramp_max_rooms = 64;
  double knee_loss = 0.001;
  double knee_p99_us = 5000;
  // bigroom: one room of `publishers`, receive-only subscribers added to it until it holds each
  // of `room_sizes` in turn (increasing), a window per size, until loss >= --knee-loss, the
  // server's hop latency p99 >= --knee-hop-p99-us or a participant fails.
  std::vector<unsigned> room_sizes = {100, 200, 400, 600, 800, 1000};
  double knee_hop_p99_us = 5000;
  // join storm: `storm` receive-only participants joining within `storm_s` seconds
  unsigned storm = 100;
  double storm_s = 1;
  std::string room_prefix = "lg";
  SubscriberOffer subscriber_offer = SubscriberOffer::data_channel;
  // --subscriber-layer low|mid|high: track_settings max_width 320 / 640 / 1280 (0: not sent).
  std::uint32_t subscriber_max_width = 0;
  bool transport_cc = true;  // --transport-cc on|off
  // --glib-can-recurse on|off: mark every source of the loop threads' contexts may-recurse
  // (source_sweeper.hpp), which spares GLib two walks of its poll records per dispatch.
  bool glib_can_recurse = true;
  // --poll poll|epoll: how the loop threads' contexts wait (epoll_poll.hpp; poll by default:
  // epoll stalled the loop at 800 subscribers, bench/forwarding-floor.md).
  bool epoll = false;
};

// Parses argv; prints help or an error and returns nullopt (with *exit_code set) when the
// program should stop.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace rrtc::loadgen
