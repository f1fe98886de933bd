#pragma once
// Two sctp::Associations wired to each other in memory (a DTLS client side and a DTLS server
// side), driven by a deterministic pump on a simulated clock: packets are handed across until
// none are left, then the clock moves one tick and both are ticked. Shared by the unit tests
// and the fuzz target. Header-only, test code.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sctp/association.hpp"

namespace rrtc::sctp::testing {

// The steady clock as media time, for the modes that follow real time.
inline time::Timestamp real_now() {
  return std::chrono::time_point_cast<time::Duration>(time::Clock::now());
}

// One simulated clock for the whole process: it only moves forward, so usrsctp's global timer
// wheel sees one time line across every test.
inline time::Timestamp& simulated_now() {
  static time::Timestamp now = time::Timestamp{} + std::chrono::hours(1);
  return now;
}

struct Message {
  std::uint16_t id = 0;
  std::vector<std::uint8_t> data;
  bool binary = false;
  std::string text() const { return {data.begin(), data.end()}; }
};

struct Opened {
  std::uint16_t id = 0;
  std::string label;
  std::string protocol;
};

// Records everything an Association reports; outgoing packets wait in `outbox` for the pump.
struct Recorder final : AssociationListener {
  std::deque<std::vector<std::uint8_t>> outbox;
  std::vector<AssociationState> states;
  std::string last_reason;
  std::vector<Opened> opened;
  std::vector<Message> messages;
  std::vector<std::uint16_t> closed;
  std::size_t packets = 0;
  // Optional hooks (tests that echo, or close from inside a callback).
  std::function<void(const Message&)> on_message_hook;

  void on_packet(std::span<const std::uint8_t> packet) override {
    ++packets;
    outbox.emplace_back(packet.begin(), packet.end());
  }
  void on_association_state(AssociationState state, std::string_view reason) override {
    states.push_back(state);
    last_reason = std::string(reason);
  }
  void on_channel_open(std::uint16_t id, std::string_view label,
                       std::string_view protocol) override {
    opened.push_back({id, std::string(label), std::string(protocol)});
  }
  void on_message(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) override {
    messages.push_back({id, {data.begin(), data.end()}, binary});
    if (on_message_hook) on_message_hook(messages.back());
  }
  void on_channel_closed(std::uint16_t id) override { closed.push_back(id); }
};

inline AssociationConfig client_config() {
  AssociationConfig config;
  config.role = Role::DtlsClient;
  return config;
}
inline AssociationConfig server_config() {
  AssociationConfig config;
  config.role = Role::DtlsServer;
  return config;
}

class AssociationPair {
 public:
  using Filter = std::function<bool(std::vector<std::uint8_t>&)>;  // false: drop the packet

  // `real_time`: read the steady clock instead of the simulated one (tests running pairs on
  // several threads at once, where one shared simulated clock would race).
  explicit AssociationPair(const AssociationConfig& client = client_config(),
                           const AssociationConfig& server = server_config(),
                           bool real_time = false)
      : real_time_(real_time),
        client_(std::make_unique<Association>(client, client_events_)),
        server_(std::make_unique<Association>(server, server_events_)) {}

  Association& client() { return *client_; }
  Association& server() { return *server_; }
  Recorder& client_events() { return client_events_; }
  Recorder& server_events() { return server_events_; }
  bool has_client() const { return client_ != nullptr; }
  bool has_server() const { return server_ != nullptr; }
  void destroy_client() { client_.reset(); }
  void destroy_server() { server_.reset(); }

  // Every packet crossing, in order, with its direction (true: client to server).
  std::vector<std::pair<bool, std::vector<std::uint8_t>>>* capture = nullptr;
  Filter client_to_server;
  Filter server_to_client;

  time::Timestamp now() const { return real_time_ ? real_now() : simulated_now(); }

  void start() {
    if (client_) client_->start(now());
    if (server_) server_->start(now());
  }

  // Hands packets across until both outboxes are empty (bounded). Returns packets moved.
  std::size_t deliver(std::size_t limit = 1'000'000) {
    std::size_t moved = 0;
    while (moved < limit) {
      bool any = false;
      any |= move_one(client_events_, server_.get(), true, moved);
      any |= move_one(server_events_, client_.get(), false, moved);
      if (!any) break;
    }
    return moved;
  }

  void tick(std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
    if (!real_time_) simulated_now() += step;
    if (client_) client_->handle_timeout(now());
    if (server_) server_->handle_timeout(now());
  }

  // Pumps until `done` holds or `limit` of simulated time has passed.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    const time::Timestamp deadline = now() + limit;
    while (true) {
      deliver();
      if (done()) return true;
      if (now() >= deadline) return false;
      tick();
    }
  }

  bool bring_up() {
    start();
    return run_until([&] {
      return client_->state() == AssociationState::Up && server_->state() == AssociationState::Up;
    });
  }

 private:
  bool move_one(Recorder& from, Association* to, bool client_to_server_direction,
                std::size_t& moved) {
    if (from.outbox.empty()) return false;
    std::vector<std::uint8_t> packet = std::move(from.outbox.front());
    from.outbox.pop_front();
    ++moved;
    const Filter& filter = client_to_server_direction ? client_to_server : server_to_client;
    if (filter && !filter(packet)) return true;
    if (capture != nullptr) capture->emplace_back(client_to_server_direction, packet);
    if (to != nullptr) to->handle_packet(packet, now());
    return true;
  }

  bool real_time_ = false;
  Recorder client_events_;
  Recorder server_events_;
  std::unique_ptr<Association> client_;
  std::unique_ptr<Association> server_;
};

}  // namespace rrtc::sctp::testing
