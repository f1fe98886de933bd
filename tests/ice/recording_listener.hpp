#pragma once
// An IceTransportListener that records everything, for tests.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "ice/ice_transport.hpp"

namespace rrtc::ice {
// GoogleTest prints states by name.
inline void PrintTo(IceState state, std::ostream* os) { *os << to_string(state); }
inline void PrintTo(CandidateResult result, std::ostream* os) { *os << to_string(result); }
}  // namespace rrtc::ice

namespace rrtc::ice::test {

class RecordingListener : public IceTransportListener {
 public:
  void on_datagram(std::span<uint8_t> datagram) noexcept override {
    datagrams.emplace_back(datagram.begin(), datagram.end());
    if (on_receive) {
      on_receive(datagram);
    }
  }
  void on_state(IceState state) override {
    states.push_back(state);
    if (on_state_change) {
      on_state_change(state);
    }
  }
  void on_local_candidate(std::string candidate) override {
    candidates.push_back(candidate);
    if (on_candidate) {
      on_candidate(candidate);
    }
  }
  void on_gathering_done() override {
    gathering_done = true;
    if (on_done) {
      on_done();
    }
  }

  bool saw(IceState state) const {
    return std::find(states.begin(), states.end(), state) != states.end();
  }
  IceState last_state() const { return states.empty() ? IceState::New : states.back(); }

  std::vector<std::vector<uint8_t>> datagrams;
  std::vector<IceState> states;
  std::vector<std::string> candidates;
  bool gathering_done = false;

  // Optional hooks, run after recording.
  std::function<void(std::span<uint8_t>)> on_receive;
  std::function<void(IceState)> on_state_change;
  std::function<void(const std::string&)> on_candidate;
  std::function<void()> on_done;
};

}  // namespace rrtc::ice::test
