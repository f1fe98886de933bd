#pragma once
// A publisher's synthetic media: Opus-sized audio every 20 ms and VP8 frames at the configured
// rate, each frame split into packets of at most packet_size payload bytes and sent as one
// burst at its frame time; a key frame every keyframe_interval_ms and whenever the server asks
// (PLI, FIR). Every payload ends with a Probe (send time, per-stream sequence). Video packets are
// kept in a ring so NACKed ones are resent (same SSRC and sequence number, as a browser without
// RTX would). A sender report per stream every second.
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
  std::uint32_t video_ssrc = 0;
  std::uint8_t audio_pt = 111;
  std::uint8_t video_pt = 96;
};

class MediaSender {
 public:
  MediaSender(transport::Peer& peer, TimerWheel& wheel, LoopStats& stats, const Window& window,
              const MediaConfig& config, SenderIdentity identity, std::uint32_t seed);
  ~MediaSender();
  MediaSender(const MediaSender&) = delete;
  MediaSender& operator=(const MediaSender&) = delete;

  // Starts pacing; the first frame and audio packet at a random phase within their interval.
  void start();
  void stop();
  // PLI / FIR / NACK addressed to our SSRCs.
  void on_rtcp(std::span<const std::uint8_t> packet);

  std::uint64_t window_sent(StreamKind kind) const { return window_sent_[static_cast<int>(kind)]; }
  void reset_window() { window_sent_[0] = window_sent_[1] = 0; }

 private:
  struct Task final : TimerWheel::Task {
    enum Kind { audio, video, report } kind;
    MediaSender* owner;
    std::optional<std::int64_t> fire(std::int64_t now_ms) noexcept override;
  };
  struct Sent {
    std::uint16_t seq = 0;
    std::uint16_t length = 0;  // 0: empty slot
    std::array<std::uint8_t, 1500> bytes{};
  };

  std::int64_t send_audio(std::int64_t now_ms);
  std::int64_t send_video_frame(std::int64_t now_ms);
  std::int64_t send_reports(std::int64_t now_ms);
  // Builds header + payload into buffer_, stamps the probe with the current time, sends.
  void send_packet(StreamKind kind, std::size_t payload_size, bool marker, bool start_of_frame,
                   bool key_frame);
  void retransmit(std::uint16_t seq);

  transport::Peer& peer_;
  TimerWheel& wheel_;
  LoopStats& stats_;
  const Window& window_;
  MediaConfig config_;
  SenderIdentity id_;
  std::uint32_t seed_;
  Task audio_task_{};
  Task video_task_{};
  Task report_task_{};
  bool running_ = false;

  std::uint16_t seq_[kStreamKinds] = {};
  std::uint32_t timestamp_[kStreamKinds] = {};
  std::uint64_t probe_seq_[kStreamKinds] = {};
  std::uint64_t window_sent_[kStreamKinds] = {};
  std::uint32_t packets_[kStreamKinds] = {};
  std::uint32_t octets_[kStreamKinds] = {};
  double next_frame_ms_ = 0;
  double next_audio_ms_ = 0;
  std::int64_t next_keyframe_ms_ = 0;
  bool keyframe_requested_ = false;
  std::uint16_t picture_id_ = 0;
  std::vector<Sent> ring_;  // video packets by seq % size
  std::array<std::uint8_t, 1600> buffer_{};
};

}  // namespace rrtc::loadgen
