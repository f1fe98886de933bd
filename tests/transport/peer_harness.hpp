#pragma once
// Test helpers for transport::Peer: a clock (simulated, or the real steady clock for the one test
// OpenSSL's own timer forces onto real time), a recording PeerListener, a tap IceTransport that
// lets a test inject or alter received datagrams, and a server/client PeerPair over
// ice::MemoryTransportPair.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dtls/certificate.hpp"
#include "ice/memory_transport.hpp"
#include "transport/peer.hpp"

namespace rrtc::transport {
inline void PrintTo(PeerState state, std::ostream* os) { *os << to_string(state); }
inline void PrintTo(SendResult result, std::ostream* os) { *os << to_string(result); }
inline void PrintTo(StartResult result, std::ostream* os) { *os << to_string(result); }
inline void PrintTo(DataState state, std::ostream* os) { *os << to_string(state); }
inline void PrintTo(EnableDataResult result, std::ostream* os) { *os << to_string(result); }
inline void PrintTo(DataChannelError error, std::ostream* os) { *os << to_string(error); }
inline void PrintTo(DataSendResult result, std::ostream* os) { *os << to_string(result); }
}  // namespace rrtc::transport

namespace rrtc::transport::test {

// The steady clock as media time, for the modes that follow real time.
inline time::Timestamp real_now() {
  return std::chrono::time_point_cast<time::Duration>(time::Clock::now());
}

struct Certificates {
  std::shared_ptr<const dtls::Certificate> server = dtls::Certificate::generate();
  std::shared_ptr<const dtls::Certificate> client = dtls::Certificate::generate();
  std::shared_ptr<const dtls::Certificate> rogue = dtls::Certificate::generate();
};

inline const Certificates& certificates() {
  static const Certificates instance;
  return instance;
}

// Simulated time only moves when the test moves it. Real mode follows the steady clock (never
// going back), for the test that needs OpenSSL's gettimeofday() timer to expire.
class TestClock {
 public:
  enum class Mode { Simulated, Real };
  explicit TestClock(Mode mode = Mode::Simulated)
      : mode_(mode),
        now_(mode == Mode::Real ? real_now() : time::Timestamp{} + std::chrono::hours(1)) {}
  time::Timestamp now() {
    if (mode_ == Mode::Real) now_ = std::max(now_, real_now());
    return now_;
  }
  void advance_to(time::Timestamp when) { now_ = std::max(now_, when); }
  Mode mode() const { return mode_; }

 private:
  Mode mode_;
  time::Timestamp now_;
};

class TestTimer final : public PeerTimer {
 public:
  explicit TestTimer(TestClock& clock) : clock_(clock) {}
  time::Timestamp now() const override { return clock_.now(); }
  void arm(std::optional<time::Timestamp> deadline) override {
    armed = deadline;
    ++arms;
  }
  std::optional<time::Timestamp> armed;
  std::size_t arms = 0;  // calls to arm(): how often the Peer asked to be woken

 private:
  TestClock& clock_;
};

// What the data channel callbacks reported.
struct DataOpened {
  std::uint16_t id = 0;
  std::string label;
  std::string protocol;
  DataChannelParameters parameters;
};
struct DataMessage {
  std::uint16_t id = 0;
  std::string label;
  std::vector<std::uint8_t> data;
  bool binary = false;
  std::string text() const { return {data.begin(), data.end()}; }
};

class RecordingListener final : public PeerListener {
 public:
  void on_state(PeerState state, std::string_view reason) override {
    states.push_back(state);
    reasons.emplace_back(reason);
    if (on_state_hook) on_state_hook(state);
  }
  void on_rtp(std::span<std::uint8_t> packet) noexcept override {
    ++media_seen;
    if (keep_media) rtp.emplace_back(packet.begin(), packet.end());
  }
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override {
    ++media_seen;
    if (keep_media) rtcp.emplace_back(packet.begin(), packet.end());
  }
  void on_local_candidate(std::string candidate) override {
    candidates.push_back(candidate);
    if (on_candidate_hook) on_candidate_hook(candidate);
  }
  void on_gathering_done() override {
    gathering_done = true;
    if (on_gathering_done_hook) on_gathering_done_hook();
  }
  void on_data_state(DataState state, std::string_view reason) override {
    data_states.push_back(state);
    data_reasons.emplace_back(reason);
  }
  void on_data_channel_open(std::uint16_t id, std::string_view label, std::string_view protocol,
                            const DataChannelParameters& parameters) override {
    data_opened.push_back({id, std::string(label), std::string(protocol), parameters});
  }
  void on_data_message(std::uint16_t id, std::string_view label, std::span<const std::uint8_t> data,
                       bool binary) override {
    data_messages.push_back({id, std::string(label), {data.begin(), data.end()}, binary});
    if (on_data_message_hook) on_data_message_hook(data_messages.back());
  }
  void on_data_channel_closed(std::uint16_t id, std::string_view label) override {
    data_closed.emplace_back(id, std::string(label));
  }
  bool data_up() const {
    return std::find(data_states.begin(), data_states.end(), DataState::Up) != data_states.end();
  }

  bool saw(PeerState state) const {
    return std::find(states.begin(), states.end(), state) != states.end();
  }
  std::string last_reason() const { return reasons.empty() ? std::string() : reasons.back(); }

  std::vector<PeerState> states;
  std::vector<std::string> reasons;
  std::vector<std::vector<std::uint8_t>> rtp;
  std::vector<std::vector<std::uint8_t>> rtcp;
  std::vector<std::string> candidates;
  bool gathering_done = false;
  std::vector<DataState> data_states;
  std::vector<std::string> data_reasons;
  std::vector<DataOpened> data_opened;
  std::vector<DataMessage> data_messages;
  std::vector<std::pair<std::uint16_t, std::string>> data_closed;
  std::function<void(const DataMessage&)> on_data_message_hook;
  std::function<void(PeerState)> on_state_hook;
  // Off: media is only counted (media_seen), so a test can watch the Peer allocate nothing.
  bool keep_media = true;
  std::size_t media_seen = 0;
  std::function<void(const std::string&)> on_candidate_hook;
  std::function<void()> on_gathering_done_hook;
};

// Sits between an IceTransport and its listener (the Peer): received datagrams pass through
// `tamper` first, and inject() delivers a datagram as if ICE had received it.
class TapTransport final : public ice::IceTransport, private ice::IceTransportListener {
 public:
  explicit TapTransport(std::unique_ptr<ice::IceTransport> inner) : inner_(std::move(inner)) {}
  ~TapTransport() override { inner_->set_listener(nullptr); }

  void set_listener(ice::IceTransportListener* listener) override {
    listener_ = listener;
    inner_->set_listener(listener != nullptr ? this : nullptr);
  }
  bool send(std::span<const uint8_t> datagram) override { return inner_->send(datagram); }
  ice::CandidateResult add_remote_candidate(std::string_view candidate) override {
    return inner_->add_remote_candidate(candidate);
  }
  bool set_remote_credentials(const ice::IceCredentials& credentials) override {
    return inner_->set_remote_credentials(credentials);
  }
  ice::IceCredentials local_credentials() const override { return inner_->local_credentials(); }
  ice::IceState state() const override { return inner_->state(); }
  void close() override { inner_->close(); }

  // Plays the worker loop delivering one datagram.
  void inject(std::vector<std::uint8_t> datagram) {
    if (listener_ != nullptr) listener_->on_datagram(datagram);
  }

  std::function<void(std::span<std::uint8_t>)> tamper;
  // When set, received datagrams are kept here instead of delivered (inject them later).
  std::vector<std::vector<std::uint8_t>>* hold = nullptr;

 private:
  void on_datagram(std::span<std::uint8_t> datagram) noexcept override {
    if (hold != nullptr) {
      hold->emplace_back(datagram.begin(), datagram.end());
      return;
    }
    if (tamper) tamper(datagram);
    if (listener_ != nullptr) listener_->on_datagram(datagram);
  }
  void on_state(ice::IceState state) override {
    if (listener_ != nullptr) listener_->on_state(state);
  }
  void on_local_candidate(std::string candidate) override {
    if (listener_ != nullptr) listener_->on_local_candidate(std::move(candidate));
  }
  void on_gathering_done() override {
    if (listener_ != nullptr) listener_->on_gathering_done();
  }

  std::unique_ptr<ice::IceTransport> inner_;
  ice::IceTransportListener* listener_ = nullptr;
};

struct PeerSide {
  PeerSide(std::unique_ptr<ice::IceTransport> transport,
           std::shared_ptr<const dtls::Certificate> certificate, TestClock& clock)
      : timer(clock) {
    auto tapped = std::make_unique<TapTransport>(std::move(transport));
    tap = tapped.get();
    peer = std::make_unique<Peer>(std::move(tapped), std::move(certificate), timer, listener);
  }

  TestTimer timer;
  RecordingListener listener;
  TapTransport* tap = nullptr;  // owned by the peer
  std::unique_ptr<Peer> peer;
};

// A passive server (ICE side A) and an active client (side B) over one MemoryTransportPair.
class PeerPair {
 public:
  explicit PeerPair(TestClock::Mode mode = TestClock::Mode::Simulated)
      : clock(mode),
        server(link.take(ice::Side::A), certificates().server, clock),
        client(link.take(ice::Side::B), certificates().client, clock) {}

  PeerConfig server_config() const {
    PeerConfig config;
    config.remote_credentials = client.peer->local_credentials();
    config.dtls.role = dtls::Role::Passive;
    config.dtls.remote_fingerprints = {certificates().client->fingerprint()};
    return config;
  }
  PeerConfig client_config() const {
    PeerConfig config;
    config.remote_credentials = server.peer->local_credentials();
    config.dtls.role = dtls::Role::Active;
    config.dtls.remote_fingerprints = {certificates().server->fingerprint()};
    return config;
  }

  void start(const PeerConfig& server_config, const PeerConfig& client_config) {
    ASSERT_EQ(server.peer->start(server_config), StartResult::Started);
    ASSERT_EQ(client.peer->start(client_config), StartResult::Started);
  }
  void start() { start(server_config(), client_config()); }

  // Delivers queued events; when the network is idle, moves the clock to the earliest armed
  // timer and fires it. Stops when done() holds, when nothing is queued or armed, or (real mode)
  // at the real deadline.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds real_budget = std::chrono::seconds(10)) {
    const auto give_up = real_now() + real_budget;
    while (real_now() < give_up) {
      const bool moved = link.flush() > 0;
      if (done()) return true;
      if (moved) continue;
      std::optional<time::Timestamp> next;
      for (PeerSide* side : {&server, &client}) {
        if (side->timer.armed && (!next || *side->timer.armed < *next)) next = side->timer.armed;
      }
      if (!next) return done();
      if (clock.mode() == TestClock::Mode::Simulated) clock.advance_to(*next);
      if (clock.now() < *next) {
        std::this_thread::yield();  // real mode: real time has to pass
        continue;
      }
      for (PeerSide* side : {&server, &client}) {
        if (side->timer.armed && *side->timer.armed <= clock.now())
          side->peer->handle_timeout(clock.now());
      }
    }
    return done();
  }

  bool both_connected() const {
    return server.peer->state() == PeerState::Connected &&
           client.peer->state() == PeerState::Connected;
  }
  bool connect() {
    start();
    return run_until([&] { return both_connected(); });
  }

  ice::MemoryTransportPair link;
  TestClock clock;
  PeerSide server;
  PeerSide client;
};

// A minimal RTP packet (RFC 3550 section 5.1: V=2, PT 96, marker clear) with `payload_size`
// bytes of payload, in a buffer with room for the SRTP tag.
inline std::vector<std::uint8_t> rtp_packet(std::uint16_t sequence, std::size_t payload_size,
                                            std::uint8_t fill) {
  std::vector<std::uint8_t> packet{0x80,
                                   96,
                                   static_cast<std::uint8_t>(sequence >> 8),
                                   static_cast<std::uint8_t>(sequence),
                                   0,
                                   0,
                                   0x10,
                                   0x00,
                                   0x12,
                                   0x34,
                                   0x56,
                                   0x78};
  packet.insert(packet.end(), payload_size, fill);
  return packet;
}

// An RTCP receiver report with no report blocks (RFC 3550 section 6.4.2): 8 bytes.
inline std::vector<std::uint8_t> rtcp_receiver_report(std::uint32_t ssrc) {
  return {0x80,
          201,
          0x00,
          0x01,
          static_cast<std::uint8_t>(ssrc >> 24),
          static_cast<std::uint8_t>(ssrc >> 16),
          static_cast<std::uint8_t>(ssrc >> 8),
          static_cast<std::uint8_t>(ssrc)};
}

// Copies `packet` into a buffer with `room` spare bytes and sends it through `send`.
template <typename Send>
SendResult send_with_room(const std::vector<std::uint8_t>& packet, std::size_t room, Send send) {
  std::vector<std::uint8_t> buffer(packet.size() + room);
  std::copy(packet.begin(), packet.end(), buffer.begin());
  return send(std::span<std::uint8_t>(buffer), packet.size());
}

inline SendResult send_rtp(Peer& peer, const std::vector<std::uint8_t>& packet) {
  return send_with_room(packet, kRtpSendOverhead,
                        [&](std::span<std::uint8_t> buffer, std::size_t length) {
                          return peer.send_rtp(buffer, length);
                        });
}
inline SendResult send_rtcp(Peer& peer, const std::vector<std::uint8_t>& packet) {
  return send_with_room(packet, kRtcpSendOverhead,
                        [&](std::span<std::uint8_t> buffer, std::size_t length) {
                          return peer.send_rtcp(buffer, length);
                        });
}

}  // namespace rrtc::transport::test
