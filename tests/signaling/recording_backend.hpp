#pragma once
// A MediaBackend test double for the signaling server tests: records every submitted request
// as one line of text, hands out the SignalingChannel the server attached.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "room/media_backend.hpp"

namespace rrtc::signaling::testing {

// Records every call as one line; the test waits for lines with a deadline.
class RecordingBackend : public room::MediaBackend {
 public:
  void attach(std::shared_ptr<room::SignalingChannel> channel) override {
    std::lock_guard lock(mutex_);
    channel_ = std::move(channel);
  }
  void submit(room::MediaRequest request) override {
    const std::string who = request.room + " " + request.participant;
    record(
        std::visit([&](const auto& command) { return describe(who, command); }, request.command));
  }

  std::vector<std::string> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_.size() >= count; });
    return calls_;
  }
  std::shared_ptr<room::SignalingChannel> channel() {
    std::lock_guard lock(mutex_);
    return channel_;
  }

 private:
  static std::string describe(const std::string& who, const room::request::Join& join) {
    return "join " + who + state_text(join.state);
  }
  static std::string describe(const std::string& who, const room::request::Leave&) {
    return "leave " + who;
  }
  static std::string describe(const std::string& who, const room::request::Offer& offer) {
    std::string line = "offer " + who + " " + offer.sdp;
    for (const auto& t : offer.tracks)
      line += " " + t.mid + ":" + std::to_string(static_cast<int>(t.type));
    return line;
  }
  static std::string describe(const std::string& who, const room::request::Answer& answer) {
    return "answer " + who + " " + answer.sdp;
  }
  static std::string describe(const std::string& who, const room::request::Candidate& candidate) {
    const auto& c = candidate.candidate;
    return "candidate " + who + " [" + c.candidate + "] " + c.sdp_mid.value_or("-") + " " +
           (c.sdp_mline_index ? std::to_string(*c.sdp_mline_index) : "-");
  }
  static std::string describe(const std::string& who, const room::request::State& state) {
    return "state " + who + state_text(state.state);
  }
  static std::string describe(const std::string& who, const room::request::TrackSettings& ts) {
    const auto& u = ts.update;
    const auto field = [](const auto& value) {
      if (!value) return std::string("-");
      if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, bool>) {
        return std::string(*value ? "1" : "0");
      } else {
        return std::to_string(*value);
      }
    };
    return "track_settings " + who + " " + u.track_id + " p" + field(u.paused) + " w" +
           field(u.max_width) + " h" + field(u.max_height) + " f" + field(u.max_fps);
  }
  static std::string state_text(const room::ParticipantState& s) {
    return std::string(" m") + (s.muted ? "1" : "0") + "v" + (s.video_on ? "1" : "0") + "s" +
           (s.screen_sharing ? "1" : "0");
  }
  void record(std::string line) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(line));
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> calls_;
  std::shared_ptr<room::SignalingChannel> channel_;
};

}  // namespace rrtc::signaling::testing
