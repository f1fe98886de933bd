#pragma once
// Two dtls::Endpoints joined by an in-memory network for tests: datagrams are queued per
// direction, a drop rule can lose chosen datagrams, and time is either simulated (only moved by
// advance()) or the real steady clock.
//
// Why a real clock at all: OpenSSL 3.0 checks its retransmission timer against gettimeofday()
// (see dtls/endpoint.hpp), so a lost flight is only retransmitted once real time has passed.
// Tests that lose a flight run on the real clock with short retransmission timeouts and spin
// until a condition holds or a real deadline passes; every other test uses simulated time.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "dtls/endpoint.hpp"

namespace rrtc::dtls::test {

// The steady clock as media time, for the modes that follow real time.
inline time::Timestamp real_now() {
  return std::chrono::time_point_cast<time::Duration>(time::Clock::now());
}

struct Side {
  Endpoint endpoint;
  std::vector<Output> events;                       // everything but Transmit, in order
  std::vector<std::vector<std::uint8_t>> sent;      // every datagram it emitted, dropped or not
  std::deque<std::vector<std::uint8_t>> in_flight;  // towards the other side

  template <typename T>
  const T* find_event() const {
    for (const auto& event : events) {
      if (const auto* found = std::get_if<T>(&event)) return found;
    }
    return nullptr;
  }
};

enum class From { Server, Client };

class Link {
 public:
  enum class ClockMode { Simulated, Real };
  // Returns true to lose the datagram: its sender, its index among that sender's datagrams.
  using DropRule =
      std::function<bool(From from, std::size_t index, const std::vector<std::uint8_t>& datagram)>;

  Link(std::shared_ptr<const Certificate> server_certificate, EndpointConfig server_config,
       std::shared_ptr<const Certificate> client_certificate, EndpointConfig client_config,
       ClockMode mode = ClockMode::Simulated)
      : mode_(mode),
        now_(mode == ClockMode::Real ? real_now() : time::Timestamp{} + std::chrono::hours(1)),
        server_{Endpoint(std::move(server_certificate),
                         with_role(std::move(server_config), Role::Passive), now_),
                {},
                {},
                {}},
        client_{Endpoint(std::move(client_certificate),
                         with_role(std::move(client_config), Role::Active), now_),
                {},
                {},
                {}} {}

  Side& server() { return server_; }
  Side& client() { return client_; }
  time::Timestamp now() const { return now_; }
  void set_drop_rule(DropRule rule) { drop_ = std::move(rule); }
  void advance(std::chrono::milliseconds by) { now_ += by; }

  // Collects outputs of both endpoints, delivers queued datagrams, and collects what that caused;
  // true if anything moved.
  bool step() {
    tick();
    bool moved = collect_both();
    const bool to_client = deliver(server_, client_);
    const bool to_server = deliver(client_, server_);
    moved = collect_both() || moved || to_client || to_server;
    return moved;
  }

  // Steps, firing due timers when idle, until done() or `budget` of real time has passed.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds budget = std::chrono::seconds(5)) {
    const auto give_up = real_now() + budget;
    while (real_now() < give_up) {
      const bool moved = step();
      if (done()) return true;
      if (!moved) fire_due_timers();
    }
    return done();
  }

  bool both_connected() const {
    return server_.endpoint.state() == EndpointState::Connected &&
           client_.endpoint.state() == EndpointState::Connected;
  }

 private:
  static EndpointConfig with_role(EndpointConfig config, Role role) {
    config.role = role;
    return config;
  }

  void tick() {
    if (mode_ == ClockMode::Real) now_ = std::max(now_, real_now());
  }

  void fire_due_timers() {
    for (Side* side : {&server_, &client_}) {
      const auto due = side->endpoint.next_timeout();
      if (due && *due <= now_) side->endpoint.handle_timeout(now_);
    }
    collect_both();
    // Real time moves by itself; yield so the spin does not starve other processes.
    if (mode_ == ClockMode::Real) std::this_thread::yield();
  }

  bool collect_both() {
    const bool server_moved = collect(From::Server);
    const bool client_moved = collect(From::Client);
    return server_moved || client_moved;
  }

  bool collect(From from) {
    Side& side = from == From::Server ? server_ : client_;
    bool moved = false;
    while (auto output = side.endpoint.poll_output()) {
      moved = true;
      if (auto* transmit = std::get_if<Transmit>(&*output)) {
        const std::size_t index = side.sent.size();
        side.sent.push_back(transmit->datagram);
        if (!drop_ || !drop_(from, index, transmit->datagram))
          side.in_flight.push_back(std::move(transmit->datagram));
      } else {
        side.events.push_back(std::move(*output));
      }
    }
    return moved;
  }

  bool deliver(Side& from, Side& to) {
    bool moved = false;
    while (!from.in_flight.empty()) {
      auto datagram = std::move(from.in_flight.front());
      from.in_flight.pop_front();
      to.endpoint.handle_datagram(datagram, now_);
      moved = true;
    }
    return moved;
  }

  ClockMode mode_;
  time::Timestamp now_;
  Side server_;
  Side client_;
  DropRule drop_;
};

}  // namespace rrtc::dtls::test
