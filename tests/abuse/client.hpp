#pragma once
// One test participant of the abuse driver: a WebSocket to the real rrtc (loadgen's
// SignalingClient and client SDP), a transport::Peer over a TapTransport over libnice, the load
// generator's MediaSender when it publishes and MediaReceiver always. On top of what a loadgen
// participant does it measures the gaps between arrivals per forwarded publisher (the "no media
// gap over 200 ms" criterion) and lets the scenario reach the tap and the Peer to misbehave.
//
// Threading: constructed anywhere; everything else on the loop's thread (the driver posts).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client_sdp.hpp"
#include "ice/ice_options.hpp"
#include "io/glib_loop.hpp"
#include "loop_stats.hpp"
#include "media_config.hpp"
#include "media_receiver.hpp"
#include "media_sender.hpp"
#include "signaling_client.hpp"
#include "tap_transport.hpp"
#include "timer_wheel.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::abuse {

struct Env {
  io::GlibLoop loop;
  std::unique_ptr<loadgen::TimerWheel> wheel;
  ice::IceConfig ice;
  std::shared_ptr<const dtls::Certificate> certificate;
  loadgen::MediaConfig media;
  loadgen::LoopStats stats;
  loadgen::Window window;
};

enum class Phase { idle, joining, negotiating, connected, failed, closed };

// Arrivals of one publisher's packets at a subscriber.
struct GapStats {
  std::uint64_t packets = 0;
  std::int64_t last_ns = 0;
  std::int64_t max_gap_ns = 0;
};

class Client final : private loadgen::SignalingListener, private transport::PeerListener {
 public:
  Client(Env& env, boost::asio::io_context& ioc, const loadgen::WsUrl& url, std::string room,
         std::string id, std::uint32_t index, bool publishes);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Applied to the Peer's configuration before start() (e.g. a longer DTLS deadline).
  std::function<void(transport::PeerConfig&)> adjust_config;
  // Called once the server's answer arrived and the Peer started (its candidates are known).
  std::function<void()> on_started;

  void start();
  void stop();

  Phase phase() const { return phase_; }
  const std::string& failure() const { return failure_; }
  transport::Peer* peer() { return peer_.get(); }
  TapTransport* tap() { return tap_; }
  loadgen::MediaSender* sender() { return sender_.get(); }
  const loadgen::PublishedStreams& published() const { return published_; }
  // The server's candidates, from its answer and trickled ("candidate:..." lines).
  const std::vector<std::string>& server_candidates() const { return server_candidates_; }
  const transport::PeerConfig* peer_config() const {
    return peer_config_ ? &*peer_config_ : nullptr;
  }

  // Gap measurement over the packets forwarded from each publisher (by participant id).
  void start_measuring();
  // Per publisher: packets received since start_measuring() and the longest silence, the time
  // since the last packet included.
  std::map<std::string, GapStats> measured() const;
  // The SSRC the server forwards `publisher`'s audio or video with (0: not offered yet).
  std::uint32_t forwarded_ssrc(const std::string& publisher, bool video) const;
  // Every RTP packet received per SSRC, and the last sequence number.
  std::uint64_t received(std::uint32_t ssrc) const {
    const auto it = received_.find(ssrc);
    return it == received_.end() ? 0 : it->second;
  }
  std::uint16_t last_seq_in(std::uint32_t ssrc) const {
    const auto it = last_seq_in_.find(ssrc);
    return it == last_seq_in_.end() ? 0 : it->second;
  }

 private:
  void on_ws_open() override;
  void on_ws_message(std::string text) override;
  void on_ws_closed(std::string why) override;
  void handle(const std::string& text);
  void on_joined();
  void on_answer(const std::string& sdp);
  void on_server_offer(const std::string& sdp);
  void send(const std::string& text);
  void fail(std::string why);

  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;

  Env& env_;
  boost::asio::io_context& ioc_;
  loadgen::WsUrl url_;
  std::string room_;
  std::string id_;
  std::uint32_t index_;
  bool publishes_;
  std::shared_ptr<loadgen::SignalingClient> client_;
  transport::LoopPeerTimer timer_;
  TapTransport* tap_ = nullptr;  // owned by the Peer
  std::unique_ptr<transport::Peer> peer_;
  std::unique_ptr<loadgen::MediaSender> sender_;
  std::unique_ptr<loadgen::MediaReceiver> receiver_;
  loadgen::LocalIdentity identity_;
  loadgen::PublishedStreams published_;
  std::optional<transport::PeerConfig> peer_config_;
  std::vector<std::string> server_candidates_;
  std::vector<std::string> early_candidates_;
  std::uint64_t sdp_version_ = 0;
  std::string candidate_mid_;
  Phase phase_ = Phase::idle;
  std::string failure_;
  bool measuring_ = false;
  std::map<std::uint32_t, std::string> publisher_of_;  // forwarded SSRC -> participant id
  std::map<std::string, GapStats> gaps_;
  std::vector<loadgen::ForwardedTrack> tracks_;
  std::map<std::uint32_t, std::uint64_t> received_;
  std::map<std::uint32_t, std::uint16_t> last_seq_in_;
};

}  // namespace rrtc::abuse
