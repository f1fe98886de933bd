#pragma once
// Two NiceTransports on one io::GlibLoop (driven by the test thread): a controlled "server" and a
// controlling "client", trickling candidates to each other through the test.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ice/candidate_line.hpp"
#include "io/glib_loop.hpp"
#include "ice/nice_transport.hpp"
#include "recording_listener.hpp"

namespace rrtc::ice::test {

inline IceOptions loopback_options(bool controlling) {
  IceOptions options;
  options.interfaces = {"127.0.0.1"};
  options.controlling = controlling;
  return options;
}

inline std::string candidate_type(const std::string& line) {
  std::optional<CandidateLine> parsed = parse_candidate_line(line);
  return parsed ? std::string(parsed->type) : std::string();
}

struct Endpoint {
  RecordingListener listener;
  std::unique_ptr<NiceTransport> transport;
  uint64_t rejected_candidates = 0;
};

class NicePair {
 public:
  // Which of one side's candidates the test passes on to the other side.
  using Filter = std::function<bool(const std::string& candidate)>;

  explicit NicePair(io::GlibLoop& loop) : loop_(loop) {}

  ~NicePair() {
    server.transport.reset();
    client.transport.reset();
    // Let libnice finish releasing the agents (TURN deallocations) before the loop goes.
    loop_.run_until([] { return NiceTransport::agents_alive() == 0; }, std::chrono::seconds(5));
  }

  // Creates both sides and wires trickle and credentials both ways.
  void create(const IceOptions& server_options, const IceOptions& client_options,
              Filter client_to_server = {}, Filter server_to_client = {}) {
    server.transport = NiceTransport::create(loop_, resolve_ice_config(server_options),
                                             &server.listener);
    client.transport = NiceTransport::create(loop_, resolve_ice_config(client_options),
                                             &client.listener);
    ASSERT_TRUE(server.transport);
    ASSERT_TRUE(client.transport);
    wire(server, client, std::move(server_to_client));
    wire(client, server, std::move(client_to_server));
    ASSERT_TRUE(server.transport->set_remote_credentials(client.transport->local_credentials()));
    ASSERT_TRUE(client.transport->set_remote_credentials(server.transport->local_credentials()));
  }

  bool run_until_connected(std::chrono::milliseconds timeout) {
    return loop_.run_until(
        [&] {
          return server.transport->state() == IceState::Connected &&
                 client.transport->state() == IceState::Connected &&
                 server.listener.saw(IceState::Connected) &&
                 client.listener.saw(IceState::Connected);
        },
        timeout);
  }

  Endpoint server;
  Endpoint client;

 private:
  static void wire(Endpoint& from, Endpoint& to, Filter filter) {
    from.listener.on_candidate = [&to, filter = std::move(filter)](const std::string& line) {
      if ((!filter || filter(line)) && to.transport &&
          to.transport->add_remote_candidate(line) != CandidateResult::Added) {
        ++to.rejected_candidates;
      }
    };
    from.listener.on_done = [&to] {
      if (to.transport) {
        to.transport->add_remote_candidate("");
      }
    };
  }

  io::GlibLoop& loop_;
};

}  // namespace rrtc::ice::test
