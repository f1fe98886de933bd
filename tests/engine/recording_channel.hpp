#pragma once
// A SignalingChannel that records what the engine sends, from any thread, and lets the test
// wait for a call. `wake` (optional) is called after each record, outside the lock: tests that
// spin a GLib loop on their own thread set it to post a no-op there, so the loop re-checks its
// condition.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "room/media_backend.hpp"

namespace rrtc::engine::test {

namespace req = rrtc::room::request;
using room::IceCandidate;
using room::ParticipantState;
using room::SignalingChannel;
using room::TrackInfo;
using room::TrackType;

struct ChannelCall {
  enum class Kind { answer, offer, candidate, reject, remove, error };
  Kind kind = Kind::answer;
  std::string room;
  std::string participant;
  std::string text;  // sdp, candidate line or reason
  std::optional<std::string> sdp_mid;
  std::optional<std::uint16_t> sdp_mline_index;
  int code = 0;         // Kind::error
  bool remove = false;  // Kind::error: the participant is removed too
};

class RecordingChannel final : public SignalingChannel {
 public:
  void send_answer(std::string room, std::string participant, std::string sdp) override {
    record({ChannelCall::Kind::answer, std::move(room), std::move(participant), std::move(sdp),
            std::nullopt, std::nullopt});
  }
  void send_offer(std::string room, std::string participant, std::string sdp) override {
    record({ChannelCall::Kind::offer, std::move(room), std::move(participant), std::move(sdp),
            std::nullopt, std::nullopt});
  }
  void send_candidate(std::string room, std::string participant, IceCandidate candidate) override {
    record({ChannelCall::Kind::candidate, std::move(room), std::move(participant),
            std::move(candidate.candidate), std::move(candidate.sdp_mid),
            candidate.sdp_mline_index});
  }
  void reject_sdp(std::string room, std::string participant, std::string message) override {
    record({ChannelCall::Kind::reject, std::move(room), std::move(participant), std::move(message),
            std::nullopt, std::nullopt});
  }
  void remove_participant(std::string room, std::string participant, std::string reason) override {
    record({ChannelCall::Kind::remove, std::move(room), std::move(participant), std::move(reason),
            std::nullopt, std::nullopt});
  }

  void send_error(std::string room, std::string participant, int code, std::string message,
                  bool remove) override {
    record({ChannelCall::Kind::error, std::move(room), std::move(participant), std::move(message),
            std::nullopt, std::nullopt, code, remove});
  }

  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }

  std::vector<ChannelCall> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  // The calls of one kind for one participant, in order.
  std::vector<ChannelCall> calls(ChannelCall::Kind kind, const std::string& participant) const {
    std::vector<ChannelCall> out;
    for (auto& call : calls()) {
      if (call.kind == kind && call.participant == participant) out.push_back(call);
    }
    return out;
  }

  // Blocks until a call of `kind` for `participant` was recorded, or the deadline passes.
  std::optional<ChannelCall> wait_for(ChannelCall::Kind kind, const std::string& participant,
                                      std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    std::optional<ChannelCall> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& call : calls_) {
        if (call.kind == kind && call.participant == participant) {
          found = call;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  void record(ChannelCall call) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(std::move(call));
      wake = wake_;
    }
    changed_.notify_all();
    if (wake) wake();
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ChannelCall> calls_;
  std::function<void()> wake_;
};

}  // namespace rrtc::engine::test
