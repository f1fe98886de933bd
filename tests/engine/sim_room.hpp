#pragma once
// The deterministic room tests' fixture (str0m's way): one engine::Worker on an io::SimLoop, its
// Peers on an ice::SimNetwork, and SimClients standing in for browsers, all on the simulated
// clock. Signaling is simulated too: every message between a client and the Worker is a loop
// event kSignalingDelay later, in order, as the Hub would relay it (a removal by the media stack
// comes back as a Leave, as the Hub's leave_room sends it).
//
// Each client gets its simulated ICE agent before it offers, as a browser does: the fixture
// prepares a network pair with the SimPeerFactory, gives the client side B, and side A waits for
// the server Peer its first offer creates (the Worker creates Peers in the order the offers arrive;
// a first offer the server refuses creates no Peer, so the pair waits for the next one).
//
// Every run is seeded (RRTC_SIM_SEED in the environment overrides the default); a failing test
// prints its seed through SCOPED_TRACE.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/media_room.hpp"
#include "engine/worker.hpp"
#include "ice/sim_network.hpp"
#include "io/sim_loop.hpp"
#include "room/media_backend.hpp"
#include "sim_client.hpp"
#include "support/sim_peer_factory.hpp"
#include "transport/peer.hpp"
#include "transport/peer_factory.hpp"

namespace rrtc::engine::test {

inline constexpr auto kSignalingDelay = std::chrono::milliseconds(10);

// Both directions of a client's pair.
using ClientLinks = rrtc::test::SimPeerFactory::Links;

inline ice::LinkConfig lan_link() {
  ice::LinkConfig link;
  link.delay = std::chrono::milliseconds(5);
  link.jitter = std::chrono::milliseconds(1);
  return link;
}

// Signaling's side of the media seam, replayed on the loop with kSignalingDelay.
class SimRoomTest;

class SimSignaling final : public room::SignalingChannel {
 public:
  explicit SimSignaling(SimRoomTest& room) : room_(room) {}
  void send_answer(std::string room, std::string participant, std::string sdp) override;
  void send_offer(std::string room, std::string participant, std::string sdp) override;
  void send_candidate(std::string room, std::string participant,
                      room::IceCandidate candidate) override;
  void reject_sdp(std::string room, std::string participant, std::string message) override;
  void remove_participant(std::string room, std::string participant, std::string reason) override;
  void send_error(std::string room, std::string participant, int code, std::string message,
                  bool remove) override;
  void send_stream_state(std::string room, std::string participant,
                         room::StreamState state) override;
  void send_publish_layers(std::string room, std::string participant, std::string mid,
                           std::vector<std::string> active) override;

 private:
  SimRoomTest& room_;
};

class SimRoomTest : public ::testing::Test {
 public:
  static std::uint64_t seed_from_environment() {
    const char* text = std::getenv("RRTC_SIM_SEED");
    return text != nullptr ? std::strtoull(text, nullptr, 10) : 20261206;
  }

  explicit SimRoomTest(std::uint64_t seed = seed_from_environment())
      : network_(loop_, seed),
        worker_(loop_, peers_, limits_),
        trace_(__FILE__, __LINE__, "simulated network seed " + std::to_string(seed)) {
    worker_.set_channel(channel_);
  }
  ~SimRoomTest() override {
    worker_.close_all();
    loop_.run_until_idle(std::chrono::seconds(1));
  }

  // Signaling events, as the Hub would deliver them.
  struct Removal {
    std::string participant;
    std::string reason;
  };
  std::vector<Removal> removals;
  std::vector<std::string> rejections;
  std::map<std::string, int> server_offers;              // per participant
  std::map<std::string, int> answers;                    // per participant
  std::map<std::string, std::string> last_server_offer;  // per participant, its SDP
  struct ErrorSent {
    std::string participant;
    int code = 0;
    std::string message;
    bool remove = false;
    time::Timestamp at;
  };
  std::vector<ErrorSent> errors;  // send_error (408, 503)
  // Issue 17: stream_state and publish_layers, in the order the media stack sent them.
  struct StreamStateSent {
    std::string participant;
    room::StreamState state;
    time::Timestamp at;
  };
  std::vector<StreamStateSent> stream_states;
  struct PublishLayersSent {
    std::string participant;
    std::string mid;
    std::vector<std::string> active;
    time::Timestamp at;
  };
  std::vector<PublishLayersSent> publish_layers;

  // A client joins `room` and offers (publishing audio and camera, or a data channel only).
  SimClient& join(const std::string& id, bool publishes,
                  const ClientLinks& links = {lan_link(), lan_link()},
                  const std::string& room = "sim",
                  loadgen::SubscriberOffer receive_only = loadgen::SubscriberOffer::data_channel) {
    auto& ref = enter(id, publishes, links, room, receive_only);
    to_server(id, room::request::Offer{ref.offer(), {}});
    return ref;
  }
  // Joins without offering (the test sends the offers, send_offer()). The client's ICE end waits
  // for the first Peer the server creates, so a test that gives two clients no Peer yet must
  // let the one that entered first get its Peer first.
  SimClient& enter(const std::string& id, bool publishes,
                   const ClientLinks& links = {lan_link(), lan_link()},
                   const std::string& room = "sim",
                   loadgen::SubscriberOffer receive_only = loadgen::SubscriberOffer::data_channel) {
    auto prepared = peers_.prepare(links);
    paths_.emplace(id, prepared.path);
    auto client = std::make_unique<SimClient>(loop_, id, std::move(prepared.client_end), publishes,
                                              receive_only);
    auto& ref = *client;
    clients_[id] = std::move(client);
    rooms_[id] = room;
    ref.set_candidate_sink([this, id](const std::string& candidate) {
      to_server(id, room::request::Candidate{room::IceCandidate{candidate, "0", 0}});
    });
    to_server(id, room::request::Join{});
    return ref;
  }
  // A viewer joins and never offers (issue 16). It gets no prepared pair: its ICE end is the one
  // of the Peer the server creates for its first offer, found by that offer's ufrag.
  SimClient& enter_viewer(const std::string& id, const std::string& room = "sim") {
    auto client = std::make_unique<SimClient>(
        loop_, id, [this](const std::string& ufrag) { return peers_.take_client_end(ufrag); });
    auto& ref = *client;
    clients_[id] = std::move(client);
    rooms_[id] = room;
    ref.set_candidate_sink([this, id](const std::string& candidate) {
      to_server(id, room::request::Candidate{room::IceCandidate{candidate, "0", 0}});
    });
    to_server(id, room::request::Join{});
    return ref;
  }
  void send_offer(const std::string& id, std::string sdp,
                  std::vector<room::TrackInfo> tracks = {}) {
    to_server(id, room::request::Offer{std::move(sdp), std::move(tracks)});
  }
  void leave(const std::string& id) { to_server(id, room::request::Leave{}); }
  // Issue 17: a subscriber's track_settings, through signaling; the server's estimate for a
  // subscriber, set directly on its room's Router (what the bandwidth estimator would do).
  void track_settings(const std::string& id, room::TrackSettingsUpdate update) {
    to_server(id, room::request::TrackSettings{std::move(update)});
  }
  bool set_estimate(const std::string& id, std::uint64_t bitrate) {
    auto* room = worker_.find(rooms_.at(id));
    auto* participant = room != nullptr ? room->find(id) : nullptr;
    if (participant == nullptr || participant->member() == nullptr) return false;
    room->router().set_estimate(*participant->member(), bitrate, room->now());
    room->arm_router_timer();
    return true;
  }
  void set_state(const std::string& id, const room::ParticipantState& state) {
    to_server(id, room::request::State{state});
  }
  void offer_again(const std::string& id) {
    to_server(id, room::request::Offer{clients_.at(id)->offer(), {}});
  }

  SimClient* client(const std::string& id) {
    const auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second.get();
  }
  ice::SimPath& path(const std::string& id) { return paths_.at(id); }

  bool run_until(const std::function<bool()>& done, time::Duration max = std::chrono::seconds(10)) {
    return loop_.run_until(done, max);
  }
  void run_for(time::Duration duration) { loop_.advance(duration); }
  // Every client that publishes sends one audio packet and, every other call, a video frame
  // (a key frame when the server asked for one); then the loop runs `step`.
  void publish_for(time::Duration duration, time::Duration step = std::chrono::milliseconds(20));

  io::SimLoop& loop() noexcept { return loop_; }
  // Set before the first join: the Worker reads them as participants are created.
  MediaLimits& limits() noexcept { return limits_; }
  rrtc::test::SimPeerFactory& peer_factory() noexcept { return peers_; }
  Worker& worker() noexcept { return worker_; }
  ice::SimNetwork& network() noexcept { return network_; }
  bool hold_answers = false;  // leave server offers unanswered (to make offers collide)

 private:
  friend class SimSignaling;

  void to_server(const std::string& id, room::MediaCommand command) {
    loop_.post_at(
        loop_.now() + kSignalingDelay,
        [this, request = room::MediaRequest{rooms_.at(id), id, std::move(command)}]() mutable {
          worker_.handle(std::move(request));
        });
  }
  void to_client(std::function<void()> delivery) {
    loop_.post_at(loop_.now() + kSignalingDelay, std::move(delivery));
  }

  io::SimLoop loop_;
  ice::SimNetwork network_;
  rrtc::test::SimPeerFactory peers_{network_};
  MediaLimits limits_;
  std::shared_ptr<SimSignaling> channel_ = std::make_shared<SimSignaling>(*this);
  Worker worker_;
  std::map<std::string, std::unique_ptr<SimClient>> clients_;
  std::map<std::string, std::string> rooms_;
  std::map<std::string, ice::SimPath> paths_;
  int video_phase_ = 0;
  ::testing::ScopedTrace trace_;
};

}  // namespace rrtc::engine::test
