#pragma once
// A publisher's synthetic media: Opus-sized audio every 20 ms and VP8 frames at the configured
// rate, each frame split into packets of at most packet_size payload bytes and sent as one
// burst at its frame time; a key frame every keyframe_interval_ms and whenever the server asks
// (PLI, FIR). Every payload ends with a Probe (send time, per-stream sequence). Video packets are
// kept in a ring so NACKed ones are resent (same SSRC and sequence number, as a browser without
// RTX would). A sender report per stream every second.
//
// Simulcast (config.layers == 3): three video streams q, h, f with their own SSRCs, bitrates
// (1/16, 1/4, 1 of the configured one), key frame sizes, picture ids and TL0PICIDX, and key
// frames of their own (every interval, and on PLI / FIR naming that layer's SSRC). As Chromium
// does, each layer's packets carry the sdes:mid and rtp-stream-id extensions until an RTCP
// report block from the server acknowledges that SSRC, then no more.
//
// Every RTP packet, audio or video, first send or retransmission, carries the next number of
// the PeerConnection's transport-wide sequence (transport-wide-cc) when the server's answer
// accepted the extension.
//
// Threading: the loop's thread only. The Peer must be Connected before start().

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "loop_stats.hpp"
#include "media_config.hpp"
#include "timer_wheel.hpp"
#include "transport/peer.hpp"

namespace rrtc::loadgen {

struct SenderIdentity {
  std::uint32_t publisher = 0;  // index in the probe
  std::uint32_t audio_ssrc = 0;
  // One per layer: [0] alone without simulcast, q, h, f with it.
  std::array<std::uint32_t, kMaxLayers> video_ssrcs{};
  std::uint8_t audio_pt = 111;
  std::uint8_t video_pt = 96;
};

// Header extension ids the server's answer accepted (0: not negotiated, not sent).
struct SenderExtensions {
  std::uint8_t transport_cc = 0;
  std::uint8_t mid = 0;
  std::uint8_t rid = 0;
};

class MediaSender {
 public:
  MediaSender(transport::Peer& peer, TimerWheel& wheel, LoopStats& stats, const Window& window,
              const MediaConfig& config, SenderIdentity identity, std::uint32_t seed);
  ~MediaSender();
  MediaSender(const MediaSender&) = delete;
  MediaSender& operator=(const MediaSender&) = delete;

  // From the server's answer, before start().
  void set_extensions(const SenderExtensions& extensions) { extensions_ = extensions; }
  // Starts pacing; the first frame and audio packet at a random phase within their interval.
  void start();
  void stop();
  // PLI / FIR / NACK addressed to our SSRCs; report blocks acknowledging a layer's SSRC.
  void on_rtcp(std::span<const std::uint8_t> packet);

  std::uint64_t window_sent(StreamKind kind) const { return window_sent_[static_cast<int>(kind)]; }
  std::uint64_t window_sent_layer(std::size_t layer) const { return window_sent_layers_[layer]; }
  void reset_window() { clear_window(); }
  std::size_t layers() const { return video_.size(); }
  // Whether the layer still stamps mid / rid (no report block for its SSRC yet).
  bool layer_unacknowledged(std::size_t layer) const { return !video_[layer].acked; }

 private:
  struct Task final : TimerWheel::Task {
    enum Kind { audio, video, report } kind;
    MediaSender* owner;
    std::optional<std::int64_t> fire(std::int64_t now_ms) noexcept override;
  };
  struct Sent {
    std::uint16_t seq = 0;
    std::uint16_t length = 0;       // 0: empty slot
    std::uint16_t twcc_offset = 0;  // of the transport-wide sequence number, 0: none
    std::array<std::uint8_t, 1500> bytes{};
  };
  // One RTP stream's counters; video streams also their VP8 and ring state.
  struct Stream {
    std::uint32_t ssrc = 0;
    std::uint16_t seq = 0;
    std::uint32_t timestamp = 0;
    std::uint64_t probe_seq = 0;
    std::uint32_t packets = 0;
    std::uint32_t octets = 0;
  };
  struct VideoStream : Stream {
    std::uint8_t layer = 0;
    const char* rid = nullptr;  // nullptr without simulcast
    std::uint64_t bitrate = 0;
    std::uint16_t width = 640, height = 480;
    std::uint16_t picture_id = 0;
    std::uint8_t tl0picidx = 0;
    std::uint32_t frames_since_key = 0;
    std::int64_t next_keyframe_ms = 0;
    bool keyframe_requested = false;
    bool acked = false;      // a report block named this SSRC: stop sending mid / rid
    std::vector<Sent> ring;  // by seq % size
  };
  struct PacketShape {
    std::size_t payload_size;
    bool marker;
    bool start_of_frame;
    bool key_frame;
    std::uint8_t tid;
  };

  std::int64_t send_audio(std::int64_t now_ms);
  std::int64_t send_video_frame(std::int64_t now_ms);
  void send_layer_frame(VideoStream& layer, std::int64_t now_ms);
  std::int64_t send_reports(std::int64_t now_ms);
  // Builds header + payload into buffer_, stamps the probe with the current time, sends.
  void send_packet(Stream& stream, VideoStream* video, const PacketShape& shape);
  void retransmit(VideoStream& layer, std::uint16_t seq);
  VideoStream* layer_of(std::uint32_t ssrc);
  void send_built(std::size_t length, std::size_t twcc_offset);

  transport::Peer& peer_;
  TimerWheel& wheel_;
  LoopStats& stats_;
  const Window& window_;
  MediaConfig config_;
  SenderIdentity id_;
  SenderExtensions extensions_;
  std::uint32_t seed_;
  Task audio_task_{};
  Task video_task_{};
  Task report_task_{};
  bool running_ = false;

  Stream audio_;
  std::vector<VideoStream> video_;
  std::uint16_t transport_seq_ = 0;
  void clear_window() {
    for (auto& n : window_sent_) n = 0;
    for (auto& n : window_sent_layers_) n = 0;
  }
  std::uint64_t window_sent_[kStreamKinds] = {};
  std::uint64_t window_sent_layers_[kMaxLayers] = {};
  double next_frame_ms_ = 0;
  double next_audio_ms_ = 0;
  std::array<std::uint8_t, 1600> buffer_{};
};

}  // namespace rrtc::loadgen
