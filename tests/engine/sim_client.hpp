#pragma once
// A WebRTC client for the deterministic room tests: a transport::Peer in the DTLS Active role on
// one end of a simulated network link, SDP as a browser writes it (the load generator's
// client_sdp: Opus on mid 0 and VP8 on mid 1 when it publishes, a data channel m-line either
// way), and just enough of a browser's media behaviour to check what a room does:
//  - send: Opus-sized audio packets and VP8 frames (a key frame when asked, or when the server
//    sends PLI / FIR), kept so NACKed packets are resent with the same SSRC and sequence;
//  - receive: per forwarded SSRC, every sequence number and whether the first video packet was
//    a key frame; a generic NACK for each gap, again every 50 ms (three tries);
//  - data channels: open one, send text, record what arrives;
//  - a viewer (issue 16) never offers: it answers the server's first offer, taking the ICE end
//    of the Peer the server created for it, and may start publishing later (start_publishing).
//
// Threading: the simulated loop's only thread. No clock: time is the loop's.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "client_sdp.hpp"
#include "io/sim_loop.hpp"
#include "transport/loop_peer_timer.hpp"
#include "transport/peer.hpp"

namespace rrtc::engine::test {

// What one client received on one forwarded SSRC.
struct ReceivedStream {
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 0;
  std::vector<std::uint16_t> sequence;  // in arrival order, duplicates included
  std::vector<std::uint32_t> timestamp;
  std::vector<bool> keyframe;       // per arrival: a VP8 key frame's first packet
  std::vector<bool> padding;        // per arrival: padding only (a bandwidth probe)
  std::vector<std::int32_t> picture_id;  // per arrival: the VP8 picture id, -1: none
  std::set<std::uint16_t> missing;  // gaps not filled (yet)
  std::uint64_t nacked = 0;         // sequence numbers asked for
};

class SimClient final : private transport::PeerListener {
 public:
  // Hands a viewer the client end of the server Peer whose ICE ufrag is `server_ufrag` (what the
  // server's first offer says); nullptr when there is none.
  using IceSource =
      std::function<std::unique_ptr<ice::IceTransport>(const std::string& server_ufrag)>;

  // `ice`: the client end of a simulated link. A client that does not publish offers what
  // `receive_only` says: a data channel m-line (default) or a recvonly Opus m-line (no SCTP).
  SimClient(io::SimLoop& loop, std::string id, std::unique_ptr<ice::IceTransport> ice,
            bool publishes,
            loadgen::SubscriberOffer receive_only = loadgen::SubscriberOffer::data_channel);
  // A viewer: no Peer until the server's first offer, whose ufrag picks the ICE end.
  SimClient(io::SimLoop& loop, std::string id, IceSource source);
  ~SimClient();
  SimClient(const SimClient&) = delete;
  SimClient& operator=(const SimClient&) = delete;

  const std::string& id() const noexcept { return id_; }
  transport::Peer& peer() noexcept { return *peer_; }
  std::uint32_t audio_ssrc() const noexcept { return published_.audio_ssrc; }
  std::uint32_t video_ssrc() const noexcept { return published_.video_ssrc; }

  // Signaling, as the test's signaling relay hands it over.
  std::string offer();
  // The server's answer to our offer: starts the Peer. "" or why not.
  std::string on_answer(const std::string& sdp);
  // A server offer: our answer's SDP, or nullopt when it cannot be answered. The first server
  // offer of a viewer starts its Peer (DTLS active), with data channels when it had an
  // application m-line.
  std::optional<std::string> on_offer(const std::string& sdp);
  // A viewer that starts publishing audio and video: the re-offer of its PeerConnection (the
  // m-lines of its last answer, then sendonly Opus and VP8 m-lines with mids "pa" and "pv").
  std::string start_publishing();
  void on_candidate(const std::string& candidate);
  // Where our trickled candidates go ("" ends them): the test's signaling relay.
  void set_candidate_sink(std::function<void(const std::string&)> sink) {
    candidate_sink_ = std::move(sink);
  }

  // Media (publishers only). A frame of `packets` packets; the first packet of a key frame
  // carries a VP8 key frame header.
  void send_audio();
  void send_video_frame(bool keyframe, int packets = 3);
  // The same with `payload_bytes` of payload per packet (issue 17: a rate-controlled source).
  void send_audio(std::size_t payload_bytes);
  void send_video_frame(bool keyframe, int packets, std::size_t payload_bytes);
  // Issue 17: when `id` is not 0, every RTP packet sent from now on carries the next
  // transport-wide sequence number in one-byte header extension `id`, as a browser that
  // negotiated transport-wide-cc; the observers see every decrypted RTP / RTCP packet received.
  void set_transport_cc_id(std::uint8_t id) { transport_cc_id_ = id; }
  std::uint16_t next_transport_seq() const noexcept { return transport_seq_; }
  std::uint8_t transport_cc_id() const noexcept { return transport_cc_id_; }
  // The next transport-wide number for a packet sent outside send_audio / send_video_frame
  // (SimulcastSource), so that all of this client's packets share one sequence.
  std::uint16_t take_transport_seq() noexcept { return transport_seq_++; }
  using PacketObserver = std::function<void(std::span<const std::uint8_t>)>;
  void set_rtp_observer(PacketObserver observer) { rtp_observer_ = std::move(observer); }
  void set_rtcp_observer(PacketObserver observer) { rtcp_observer_ = std::move(observer); }
  // Issue 17: offer the camera as rid simulcast with this many layers (q, h, f) instead of one
  // a=ssrc stream; its media then comes from a SimulcastSource (sim_simulcast_source.hpp).
  void set_video_layers(unsigned layers) { published_.layers = layers; }
  // Set when the server asked for a key frame (PLI / FIR) since the last call.
  bool take_keyframe_request();

  bool publishes() const noexcept { return publishes_; }
  bool connected() const noexcept { return state_ == transport::PeerState::Connected; }
  transport::PeerState state() const noexcept { return state_; }
  const std::string& failure() const noexcept { return reason_; }

  // What arrived, per forwarded SSRC, and the tracks the latest server offer carried.
  const std::map<std::uint32_t, ReceivedStream>& received() const noexcept { return received_; }
  const std::vector<loadgen::ForwardedTrack>& tracks() const noexcept { return tracks_; }
  // The stream forwarded to us for `track_id` ("<participant>-audio" / "-camera"), if any.
  const ReceivedStream* stream_of(const std::string& track_id) const;
  // Data channels: the association is up; open a channel; send text on it; what arrived, as
  // "<label>: <text>".
  bool data_up() const noexcept { return peer_ != nullptr && peer_->data_channels_up(); }
  bool open_channel(const std::string& label);
  bool has_channel(const std::string& label) const {
    return peer_ != nullptr && peer_->data_channel_id(label).has_value();
  }
  bool send_text(const std::string& label, const std::string& text);
  const std::vector<std::string>& messages() const noexcept { return messages_; }

  std::uint64_t resends_sent() const noexcept { return resends_; }
  std::uint64_t audio_sent() const noexcept { return audio_sent_; }
  std::uint64_t video_sent() const noexcept { return video_sent_; }
  std::uint64_t keyframe_requests() const noexcept { return keyframe_requests_; }
  std::uint64_t rtcp_received() const noexcept { return rtcp_received_; }

 private:
  struct Sent {
    std::uint16_t sequence = 0;
    std::vector<std::uint8_t> bytes;  // plain RTP
  };

  // transport::PeerListener
  void on_state(transport::PeerState state, std::string_view reason) override;
  void on_rtp(std::span<std::uint8_t> packet) noexcept override;
  void on_rtcp(std::span<std::uint8_t> packet) noexcept override;
  void on_local_candidate(std::string candidate) override;
  void on_gathering_done() override;
  void on_data_message(std::uint16_t id, std::string_view label, std::span<const std::uint8_t> data,
                       bool binary) override;

  void create_peer(std::unique_ptr<ice::IceTransport> ice);
  // Starts the Peer with the server's transport (from its answer, or a viewer's first offer).
  std::string start(const loadgen::RemoteTransportInfo& remote, bool data_channels);
  void send(std::uint32_t ssrc, std::uint8_t payload_type, std::uint16_t sequence,
            std::uint32_t timestamp, bool marker, std::span<const std::uint8_t> payload);
  void resend(std::uint32_t ssrc, std::uint16_t sequence);
  void nack(ReceivedStream& stream);
  void arm_nack_retry();

  io::SimLoop& loop_;
  std::string id_;
  transport::LoopPeerTimer timer_;
  std::unique_ptr<transport::Peer> peer_;
  transport::PeerState state_ = transport::PeerState::New;
  std::string reason_;
  loadgen::LocalIdentity identity_;
  loadgen::PublishedStreams published_;
  bool publishes_ = false;
  loadgen::SubscriberOffer receive_only_;
  std::uint64_t sdp_version_ = 0;
  bool started_ = false;
  std::vector<std::string> early_candidates_;
  IceSource ice_source_;                                // viewers only
  std::optional<sdp::SessionDescription> last_answer_;  // to a server offer
  std::function<void(const std::string&)> candidate_sink_;

  std::uint16_t audio_sequence_ = 1000;
  std::uint16_t video_sequence_ = 5000;
  std::uint32_t audio_timestamp_ = 0;
  std::uint32_t video_timestamp_ = 0;
  std::vector<Sent> sent_;  // video, the last 512 packets
  bool keyframe_requested_ = false;
  std::uint64_t resends_ = 0;
  std::uint64_t audio_sent_ = 0;
  std::uint64_t video_sent_ = 0;
  std::uint64_t keyframe_requests_ = 0;

  std::vector<loadgen::ForwardedTrack> tracks_;
  std::map<std::uint32_t, ReceivedStream> received_;
  std::uint64_t rtcp_received_ = 0;
  std::vector<std::string> messages_;
  io::TimerHandle nack_timer_;
  int nack_tries_ = 0;
  std::uint8_t transport_cc_id_ = 0;
  std::uint16_t transport_seq_ = 1;
  PacketObserver rtp_observer_;
  PacketObserver rtcp_observer_;
};

}  // namespace rrtc::engine::test
