#include "options.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

namespace rrtc::loadgen {
namespace po = boost::program_options;

namespace {

struct Preset {
  const char* name;
  Scenario scenario;
  unsigned rooms, publishers, subscribers;
  bool audio, video;
  const char* help;
};

constexpr Preset kPresets[] = {
    {"1to1", Scenario::fixed, 1, 1, 1, true, true, "one publisher, one subscriber"},
    {"1to10", Scenario::fixed, 1, 1, 10, true, true, "one publisher, ten subscribers"},
    {"1to50", Scenario::fixed, 1, 1, 50, true, true, "one publisher, fifty subscribers"},
    {"1to500", Scenario::fixed, 1, 1, 500, true, true, "one publisher, 500 subscribers"},
    {"rooms", Scenario::fixed, 4, 10, 0, true, true,
     "--rooms rooms of 10 people who all publish and receive"},
    {"ramp", Scenario::ramp, 1, 10, 0, true, true,
     "10-person rooms added --ramp-step at a time until loss > --knee-loss or p99 > --knee-p99-us"},
    {"audio", Scenario::fixed, 1, 10, 90, true, false,
     "audio-only large room: 10 speakers, 90 listeners"},
    {"join-storm", Scenario::join_storm, 1, 1, 10, true, true,
     "1 publisher + 10 subscribers, then --storm subscribers join within --storm-seconds"},
    {"bigroom", Scenario::bigroom, 1, 1, 0, true, true,
     "one room, one publisher; receive-only subscribers added until the room holds each of "
     "--sizes in turn, a window per size, until loss >= --knee-loss or the server's hop p99 >= "
     "--knee-hop-p99-us"},
    {"custom", Scenario::fixed, 1, 1, 1, true, true,
     "whatever --rooms/--publishers/--subscribers say"},
};

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  std::string scenarios_help = "scenario:";
  for (const auto& p : kPresets) scenarios_help += std::string("\n  ") + p.name + ": " + p.help;
  po::options_description desc(
      "rrtc-loadgen: drives a running rrtc like browsers do and measures it");
  // clang-format off
  desc.add_options()
    ("help,h", "this help")
    ("url", po::value(&o.url)->default_value(o.url), "signaling WebSocket URL")
    ("scenario", po::value(&o.scenario_name)->default_value(o.scenario_name), scenarios_help.c_str())
    ("duration", po::value(&o.duration_s)->default_value(o.duration_s), "seconds measured (per ramp step)")
    ("warmup", po::value(&o.warmup_s)->default_value(o.warmup_s), "seconds of media before measuring")
    ("drain", po::value(&o.drain_s)->default_value(o.drain_s), "seconds waited for packets in flight")
    ("connect-timeout", po::value(&o.connect_timeout_s)->default_value(o.connect_timeout_s), "seconds for everyone to connect")
    ("media-timeout", po::value(&o.media_timeout_s)->default_value(o.media_timeout_s), "seconds to wait for forwarded media before measuring anyway")
    ("rooms", po::value<unsigned>(), "rooms (scenario default otherwise)")
    ("publishers", po::value<unsigned>(), "publishers per room (they receive too)")
    ("subscribers", po::value<unsigned>(), "receive-only participants per room")
    ("bitrate", po::value(&o.media.video_bitrate)->default_value(o.media.video_bitrate), "video bits per second per publisher")
    ("fps", po::value(&o.media.fps)->default_value(o.media.fps), "video frames per second")
    ("packet-size", po::value(&o.media.packet_size)->default_value(o.media.packet_size), "largest RTP payload in bytes")
    ("audio-bytes", po::value(&o.media.audio_bytes)->default_value(o.media.audio_bytes), "audio payload bytes (50 packets/s)")
    ("no-audio", "publishers send no audio")
    ("no-video", "publishers send no video")
    ("json", po::value(&o.json_path), "write the results as JSON to this file")
    ("server-pid", po::value(&o.server_pid)->default_value(0), "pid of the server (default: whoever listens on the URL's port)")
    ("threads", po::value(&o.threads)->default_value(o.threads), "loop threads (participants are spread over them)")
    ("join-rate", po::value(&o.join_rate)->default_value(o.join_rate), "joins per second while building rooms")
    ("ramp-step", po::value(&o.ramp_step)->default_value(o.ramp_step), "rooms added per ramp step")
    ("ramp-max-rooms", po::value(&o.ramp_max_rooms)->default_value(o.ramp_max_rooms), "stop the ramp here")
    ("knee-loss", po::value(&o.knee_loss)->default_value(o.knee_loss), "loss fraction that ends the ramp")
    ("knee-p99-us", po::value(&o.knee_p99_us)->default_value(o.knee_p99_us), "p99 latency (µs) that ends the ramp")
    ("sizes", po::value<std::string>()->default_value("100,200,400,600,800,1000"), "bigroom: subscriber counts, increasing, comma-separated")
    ("knee-hop-p99-us", po::value(&o.knee_hop_p99_us)->default_value(o.knee_hop_p99_us), "bigroom: server hop latency p99 (µs) that ends the steps")
    ("storm", po::value(&o.storm)->default_value(o.storm), "join storm: participants joining")
    ("storm-seconds", po::value(&o.storm_s)->default_value(o.storm_s), "join storm: over this many seconds")
    ("room-prefix", po::value(&o.room_prefix)->default_value(o.room_prefix), "room names: <prefix>-<n>")
    ("subscriber-offer", po::value<std::string>()->default_value("data"), "what receive-only participants offer: data (a data channel m-line) or audio (a recvonly Opus m-line)")
    ("simulcast", "publishers send three rid layers q, h, f (1/16, 1/4 and 1 of --bitrate), as --layers 3")
    ("layers", po::value(&o.media.layers)->default_value(o.media.layers), "video layers per publisher: 1, or 3 for rid simulcast")
    ("temporal-layers", po::value(&o.media.temporal_layers)->default_value(o.media.temporal_layers), "VP8 temporal layers per stream (1..3)")
    ("subscriber-layer", po::value<std::string>(), "every receiver asks for this layer of each video track with track_settings: low (max_width 320), mid (640) or high (1280); a server that refuses it fails the run")
    ("subscriber-max-width", po::value(&o.subscriber_max_width), "track_settings max_width sent by every receiver for each video track")
    ("transport-cc", po::value<std::string>()->default_value("on"), "negotiate transport-wide-cc as browsers do (on), or not (off: the server has no send-side estimate for the loadgen's receivers)")
    ("glib-can-recurse", po::value<std::string>()->default_value("on"), "mark the loop threads' GLib sources may-recurse (on), so that GLib does not take each source's descriptors out of its poll list and put them back around every dispatch, or leave them as created (off)")
    ("poll", po::value<std::string>()->default_value("poll"), "how each loop thread waits for its descriptors: poll (GLib's default, every descriptor passed to poll(2) on every wake-up) or epoll (registrations kept between wake-ups; experimental: it stalled the loop for hundreds of milliseconds at 800 subscribers)");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "rrtc-loadgen: " << e.what() << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  const Preset* preset = nullptr;
  for (const auto& p : kPresets) {
    if (o.scenario_name == p.name) preset = &p;
  }
  if (preset == nullptr) {
    std::cerr << "rrtc-loadgen: unknown scenario '" << o.scenario_name << "'\n";
    *exit_code = 2;
    return std::nullopt;
  }
  const auto offer = vm["subscriber-offer"].as<std::string>();
  if (offer != "data" && offer != "audio") {
    std::cerr << "rrtc-loadgen: --subscriber-offer is data or audio\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.subscriber_offer =
      offer == "data" ? SubscriberOffer::data_channel : SubscriberOffer::recvonly_audio;
  const auto twcc = vm["transport-cc"].as<std::string>();
  if (twcc != "on" && twcc != "off") {
    std::cerr << "rrtc-loadgen: --transport-cc is on or off\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.transport_cc = twcc == "on";
  const auto recurse = vm["glib-can-recurse"].as<std::string>();
  if (recurse != "on" && recurse != "off") {
    std::cerr << "rrtc-loadgen: --glib-can-recurse is on or off\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.glib_can_recurse = recurse == "on";
  const auto poll = vm["poll"].as<std::string>();
  if (poll != "epoll" && poll != "poll") {
    std::cerr << "rrtc-loadgen: --poll is epoll or poll\n";
    *exit_code = 2;
    return std::nullopt;
  }
  o.epoll = poll == "epoll";
  if (vm.count("simulcast")) o.media.layers = 3;
  if (o.media.layers != 1 && o.media.layers != 3) {
    std::cerr << "rrtc-loadgen: --layers is 1 or 3\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (o.media.temporal_layers < 1 || o.media.temporal_layers > 3) {
    std::cerr << "rrtc-loadgen: --temporal-layers is 1, 2 or 3\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("subscriber-layer")) {
    const auto layer = vm["subscriber-layer"].as<std::string>();
    const std::uint32_t width = layer == "low"    ? kLayerShapes[0].width
                                : layer == "mid"  ? kLayerShapes[1].width
                                : layer == "high" ? kLayerShapes[2].width
                                                  : 0;
    if (width == 0) {
      std::cerr << "rrtc-loadgen: --subscriber-layer is low, mid or high\n";
      *exit_code = 2;
      return std::nullopt;
    }
    o.subscriber_max_width = width;
  }
  o.room_sizes.clear();
  {
    std::istringstream sizes(vm["sizes"].as<std::string>());
    for (std::string item; std::getline(sizes, item, ',');) {
      unsigned n = 0;
      try {
        n = static_cast<unsigned>(std::stoul(item));
      } catch (const std::exception&) {
        n = 0;
      }
      if (n == 0 || (!o.room_sizes.empty() && n <= o.room_sizes.back())) {
        std::cerr << "rrtc-loadgen: --sizes is increasing positive counts, e.g. 100,200,400\n";
        *exit_code = 2;
        return std::nullopt;
      }
      o.room_sizes.push_back(n);
    }
  }
  o.scenario = preset->scenario;
  o.rooms = vm.count("rooms") ? vm["rooms"].as<unsigned>() : preset->rooms;
  o.publishers = vm.count("publishers") ? vm["publishers"].as<unsigned>() : preset->publishers;
  o.subscribers = vm.count("subscribers") ? vm["subscribers"].as<unsigned>() : preset->subscribers;
  o.media.audio = preset->audio && !vm.count("no-audio");
  o.media.video = preset->video && !vm.count("no-video");
  if (o.threads == 0 || o.duration_s <= 0 || o.join_rate <= 0 || o.media.fps == 0 ||
      o.publishers + o.subscribers == 0 || o.rooms == 0 || o.ramp_step == 0 ||
      (!o.media.audio && !o.media.video)) {
    std::cerr << "rrtc-loadgen: threads, duration, join-rate, fps, rooms, ramp-step and "
                 "participants must be positive, and some media enabled\n";
    *exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace rrtc::loadgen
