#pragma once
// The engine tests' fixture: a MediaEngine on its own worker threads, a RecordingChannel in place
// of signaling, and TestClients on a GlibLoop the test thread spins. The test thread plays the
// signaling thread: it makes every MediaBackend call and relays candidates both ways.

#include <glib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "ice/nice_transport.hpp"
#include "recording_channel.hpp"
#include "test_client.hpp"

namespace rrtc::engine::test {

inline constexpr auto kDeadline = std::chrono::seconds(20);

// The value of one Prometheus sample (`name` includes its labels), or nullopt.
inline std::optional<std::uint64_t> metric_value(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(text.substr(at + name.size() + 2));
}

inline MediaEngineOptions loopback_options(std::size_t workers) {
  MediaEngineOptions options;
  options.workers = workers;
  options.ice.interfaces = {"127.0.0.1"};
  return options;
}

class EngineHarness : public testing::Test {
 protected:
  // One client's signaling state: which candidates were relayed already.
  struct Session {
    TestClient* client = nullptr;
    std::string room;
    std::string id;
    std::size_t client_candidates_sent = 0;
    bool client_end_sent = false;
    std::size_t server_candidates_applied = 0;
  };

  explicit EngineHarness(std::size_t workers = 1) {
    channel_->set_wake([this] { loop_.post([] {}); });
    engine_ = std::make_unique<MediaEngine>(loopback_options(workers));
    engine_->attach(channel_);
    // A 20 ms tick keeps run_until re-checking conditions that other threads change (the
    // engine's counters) even when no event reaches this loop.
    tick_ = g_timeout_source_new(20);
    g_source_set_callback(
        tick_, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(tick_, loop_.context());
  }

  ~EngineHarness() override {
    clients_.clear();
    stop_engine();
    channel_->set_wake(nullptr);
    loop_.run_until([] { return ice::NiceTransport::agents_alive() == 0; }, kDeadline);
    g_source_destroy(tick_);
    g_source_unref(tick_);
  }

  TestClient& new_client() {
    clients_.push_back(std::make_unique<TestClient>(loop_));
    return *clients_.back();
  }

  // engine->stop() waits for every libnice agent, the clients' included, so this loop keeps
  // running meanwhile.
  void stop_engine() {
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
      engine_->stop();
      stopped = true;
      loop_.post([] {});
    });
    loop_.run_until([&] { return stopped.load(); }, kDeadline * 2);
    stopper.join();
  }

  std::string metrics() const {
    std::string out;
    engine_->append_metrics(out);
    return out;
  }
  std::uint64_t metric(const std::string& name) const {
    return metric_value(metrics(), name).value_or(0);
  }

  bool spin(const std::function<bool()>& done) { return loop_.run_until(done, kDeadline); }

  // Relays trickled candidates both ways (what signaling and the client's JavaScript do).
  void pump(Session& s) {
    auto& c = *s.client;
    for (; s.client_candidates_sent < c.local_candidates.size(); ++s.client_candidates_sent) {
      engine_->submit(
          {s.room, s.id,
           req::Candidate{IceCandidate{c.local_candidates[s.client_candidates_sent], "0", 0}}});
    }
    if (c.gathering_done && !s.client_end_sent) {
      s.client_end_sent = true;
      engine_->submit({s.room, s.id, req::Candidate{IceCandidate{"", "0", 0}}});
    }
    const auto server = channel_->calls(ChannelCall::Kind::candidate, s.id);
    for (; s.server_candidates_applied < server.size(); ++s.server_candidates_applied) {
      c.peer().add_remote_candidate(server[s.server_candidates_applied].text);
    }
  }

  // join, offer (audio on mid 0, camera on mid 1), answer, trickle until the client's DTLS is
  // up (the passive server finishes its handshake first).
  Session connect(TestClient& client, const std::string& room, const std::string& id) {
    Session s{&client, room, id};
    engine_->submit({room, id, req::Join{}});
    engine_->submit(
        {room, id,
         req::Offer{client.offer(),
                    {TrackInfo{"0", TrackType::audio}, TrackInfo{"1", TrackType::camera}}}});
    const auto answer = channel_->wait_for(ChannelCall::Kind::answer, id, kDeadline);
    EXPECT_TRUE(answer.has_value()) << "no answer for " << id;
    if (!answer) return s;
    EXPECT_EQ(client.apply_answer(answer->text), "");
    EXPECT_TRUE(spin([&] {
      pump(s);
      return client.state == transport::PeerState::Connected ||
             client.state == transport::PeerState::Failed;
    }));
    EXPECT_EQ(client.state, transport::PeerState::Connected) << client.reason;
    return s;
  }

  io::GlibLoop loop_;  // first: destroyed after the clients
  std::shared_ptr<RecordingChannel> channel_ = std::make_shared<RecordingChannel>();
  std::unique_ptr<MediaEngine> engine_;
  std::vector<std::unique_ptr<TestClient>> clients_;
  GSource* tick_ = nullptr;
};

}  // namespace rrtc::engine::test
