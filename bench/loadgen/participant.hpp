#pragma once
// One simulated browser: a WebSocket to the server (join, offer, answer, candidates as
// PROTOCOL.md says) and a transport::Peer (libnice agent in the controlling role, DTLS active,
// SRTP) built from the project's layers, with a MediaSender when it publishes and always a
// MediaReceiver for what the server forwards to it.
//
// The same class is the hostile client of tests/abuse: ParticipantHooks let a test put its own
// transport between libnice and the Peer, edit the Peer's configuration, and see the server's
// candidates, the forwarded tracks and every RTP packet, without a second copy of the join /
// offer / answer flow. The load generator sets no hook; an unset hook costs one branch.
//
// Threading: constructed on any thread; start() and everything after run on the loop's thread
// (the Runner posts them). Signaling messages arrive on the io_context's thread and are posted
// to the loop. Lifetime: the Runner destroys participants only after the io_context and the loop
// stopped.

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
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
#include "source_sweeper.hpp"
#include "timer_wheel.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::loadgen {

// What one loop thread shares among its participants.
struct LoopContext {
  io::GlibLoop loop;
  std::unique_ptr<TimerWheel> wheel;
  std::unique_ptr<SourceSweeper> sweeper;  // --glib-can-recurse on (null: off)
  ice::IceConfig ice;
  std::shared_ptr<const dtls::Certificate> certificate;
  MediaConfig media;
  SubscriberOffer subscriber_offer = SubscriberOffer::data_channel;
  // --subscriber-layer: a track_settings max_width sent for every received video track (0: none).
  std::uint32_t subscriber_max_width = 0;
  bool transport_cc = true;  // --transport-cc
  LoopStats stats;
  Window window;
};

struct ParticipantSpec {
  std::string room;
  std::string id;
  std::uint32_t index = 0;  // unique in the run; the probe's publisher field
  bool publishes = false;
};

// Optional observers and edits, set before start(); all called on the loop thread.
struct ParticipantHooks {
  // Receives libnice's transport and returns the one the Peer gets (a test's tap around it).
  std::function<std::unique_ptr<ice::IceTransport>(std::unique_ptr<ice::IceTransport>)>
      wrap_transport;
  // Applied to the Peer's configuration before Peer::start() (e.g. a longer DTLS deadline).
  std::function<void(transport::PeerConfig&)> adjust_config;
  // The server's answer arrived and the Peer started with `config` (its candidates are added).
  std::function<void(const transport::PeerConfig& config)> on_started;
  // Each server candidate ("candidate:..."), trickled or from the answer, in arrival order.
  std::function<void(const std::string& candidate)> on_server_candidate;
  // The forwarded tracks of each server offer we answered (the whole list every time).
  std::function<void(const std::vector<ForwardedTrack>& tracks)> on_tracks;
  // Every decrypted RTP packet, before the MediaReceiver sees it.
  std::function<void(std::span<const std::uint8_t> packet)> on_rtp;
};

enum class ParticipantPhase { idle, joining, negotiating, connected, failed, closed };

class Participant final : private SignalingListener, private transport::PeerListener {
 public:
  Participant(LoopContext& context, boost::asio::io_context& ioc, const WsUrl& url,
              ParticipantSpec spec);
  ~Participant();
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  // Set before start().
  ParticipantHooks& hooks() { return hooks_; }
  // Loop thread: opens the WebSocket and joins.
  void start();
  // Loop thread: leave, close the Peer and the socket.
  void stop();

  const ParticipantSpec& spec() const { return spec_; }
  ParticipantPhase phase() const { return phase_; }
  const std::string& failure() const { return failure_; }
  MediaSender* sender() { return sender_.get(); }
  MediaReceiver* receiver() { return receiver_.get(); }
  // Null until the server's joined.
  transport::Peer* peer() { return peer_.get(); }
  const PublishedStreams& published() const { return published_; }
  // CLOCK_MONOTONIC ns of the join request, of Connected, and of the first media (0: not yet).
  std::int64_t join_ns() const { return join_ns_; }
  std::int64_t connected_ns() const { return connected_ns_; }
  std::int64_t first_media_ns() const { return receiver_ ? receiver_->first_media_ns() : 0; }
  std::uint64_t server_offers() const { return server_offers_; }
  // The server's answer took our simulcast offer (a=simulcast recv on the video m-line).
  bool simulcast_accepted() const { return simulcast_accepted_; }
  std::uint64_t errors() const { return errors_; }

 private:
  // SignalingListener (io_context thread): post to the loop.
  void on_ws_open() override;
  void on_ws_message(std::string text) override;
  void on_ws_closed(std::string why) override;
  // Loop thread.
  void handle(const std::string& text);
  void on_joined();
  void on_answer(const std::string& sdp);
  void on_server_offer(const std::string& sdp);
  void on_remote_candidate(const boost::json::object& message);
  void send(const boost::json::object& message);
  // track_settings (max_width) for the received video tracks not asked for yet.
  void send_track_settings(const std::vector<ForwardedTrack>& tracks);
  void fail(std::string why);

  // transport::PeerListener (loop thread).
  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;

  LoopContext& context_;
  boost::asio::io_context& ioc_;
  WsUrl url_;
  ParticipantSpec spec_;
  ParticipantHooks hooks_;
  std::shared_ptr<SignalingClient> client_;
  transport::LoopPeerTimer timer_;  // declared before the Peer: outlives it
  std::unique_ptr<transport::Peer> peer_;
  std::unique_ptr<MediaSender> sender_;
  std::unique_ptr<MediaReceiver> receiver_;
  LocalIdentity identity_;
  PublishedStreams published_;
  std::uint64_t sdp_version_ = 0;
  bool answered_ = false;
  std::string candidate_mid_;
  std::vector<std::string> early_candidates_;
  ParticipantPhase phase_ = ParticipantPhase::idle;
  std::string failure_;
  std::int64_t join_ns_ = 0;
  std::int64_t connected_ns_ = 0;
  std::uint64_t server_offers_ = 0;
  std::uint64_t errors_ = 0;
  bool simulcast_accepted_ = false;
  std::vector<std::string> track_settings_sent_;
};

}  // namespace rrtc::loadgen
