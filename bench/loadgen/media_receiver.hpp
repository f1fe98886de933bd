#pragma once
// A participant's receiving side, answering the server like a browser: per forwarded SSRC the
// RFC 3550 receive statistics and a receiver report every second, a generic NACK as soon as a
// sequence gap shows (repeated every 50 ms, three times at most), a PLI when a video stream has
// not yet shown a key frame or lost packets NACK could not bring back (one per second at most).
// Per publisher stream and simulcast layer (from the probe) it counts unique packets,
// duplicates and late arrivals, and records one-way latency of first, in-order arrivals. Per
// forwarded video SSRC it also counts the RTP sequence numbers the window's packets span and
// how many arrived: with simulcast the server forwards one layer at a time under one SSRC, and
// a gap in its numbering (across a layer switch too) is loss. When the server's offer
// negotiated transport-wide-cc it answers the server's stamps with transport-cc feedback every
// 100 ms, as a browser does.
//
// Threading: the loop's thread only.

#include <bitset>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "client_sdp.hpp"
#include "loop_stats.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/seq_unwrapper.hpp"
#include "timer_wheel.hpp"
#include "transport/peer.hpp"
#include "transport_feedback.hpp"

namespace rrtc::loadgen {

class MediaReceiver {
 public:
  MediaReceiver(transport::Peer& peer, TimerWheel& wheel, LoopStats& stats, const Window& window,
                std::uint32_t own_ssrc);
  ~MediaReceiver();
  MediaReceiver(const MediaReceiver&) = delete;
  MediaReceiver& operator=(const MediaReceiver&) = delete;

  // The tracks of the server's latest offer (replaces the set; streams seen before keep state).
  void set_tracks(const std::vector<ForwardedTrack>& tracks);
  // The server's transport-wide-cc extension id (0: not negotiated, no feedback).
  void set_transport_cc(std::uint8_t extension_id) { transport_cc_id_ = extension_id; }
  void start();  // feedback timer
  void stop();
  void on_rtp(std::span<std::uint8_t> packet);

  // Whether received packets count in the window (the Runner's choice per participant).
  void set_counted(bool counted) { counted_ = counted; }
  bool counted() const { return counted_; }
  // CLOCK_MONOTONIC ns of the first probe-carrying packet, 0 before.
  std::int64_t first_media_ns() const { return first_media_ns_; }
  // Distinct publisher streams seen (publisher index, kind; the layers of one count once).
  std::size_t streams_seen() const { return kinds_seen_.size(); }
  // A new window: forget the forwarded streams' window numbering.
  void reset_window();
  // The window closed: adds the forwarded video streams' spans and arrivals to `stats`, and
  // remembers which publishers' video arrived in it (window_video_publishers()).
  void collect_window(LoopStats& stats);
  const std::vector<std::uint32_t>& window_video_publishers() const { return window_publishers_; }
  std::size_t tracks() const { return tracks_.size(); }

 private:
  struct Stream {
    ForwardedTrack track;
    rtp::ReceiveStats stats;
    rtp::SeqUnwrapper unwrapper;
    std::int64_t highest = -1;
    bool started = false;
    bool keyframe_seen = false;
    std::int64_t last_pli_ms = -1'000'000;
    struct Missing {
      std::int64_t seq;
      std::int64_t first_ms;
      std::int64_t last_nack_ms;
      int tries;
    };
    std::deque<Missing> missing;
    // The window (probe send time): publisher, first and last number, unique arrivals, and
    // the numbers of padding-only packets (no probe; not media, so not expected).
    std::int64_t publisher = -1;
    std::int64_t window_first = -1, window_last = -1;
    std::uint64_t window_received = 0;
    std::vector<std::int64_t> window_padding;
    explicit Stream(const ForwardedTrack& t) : track(t), stats(t.clock_rate) {}
  };
  struct ProbeTrack {
    std::int64_t highest = -1;
    std::bitset<4096> seen;
  };
  struct Task final : TimerWheel::Task {
    MediaReceiver* owner = nullptr;
    std::optional<std::int64_t> fire(std::int64_t now_ms) noexcept override;
  };

  void on_media(Stream& stream, std::uint16_t seq, std::uint32_t timestamp,
                std::span<const std::uint8_t> payload, bool retransmission);
  // True when the packet is new and counted in the window.
  bool on_probe(const Probe& probe, std::size_t bytes, bool retransmission);
  void send_transport_feedback();
  std::int64_t feedback(std::int64_t now_ms);
  void send_nack(Stream& stream, std::span<const std::uint16_t> seqs);
  void send_pli(Stream& stream, std::int64_t now_ms);
  void send_receiver_report();

  transport::Peer& peer_;
  TimerWheel& wheel_;
  LoopStats& stats_;
  const Window& window_;
  std::uint32_t own_ssrc_;
  Task task_;
  bool running_ = false;
  bool counted_ = false;
  std::int64_t first_media_ns_ = 0;
  std::int64_t next_report_ms_ = 0;
  std::unordered_map<std::uint32_t, std::unique_ptr<Stream>> tracks_;  // by media SSRC
  std::unordered_map<std::uint32_t, Stream*> rtx_;                     // by RTX SSRC
  std::unordered_map<std::uint64_t, ProbeTrack> probes_;  // publisher << 16 | kind << 8 | layer
  std::unordered_map<std::uint64_t, bool> kinds_seen_;    // publisher << 8 | kind
  std::vector<std::uint32_t> window_publishers_;
  std::uint8_t transport_cc_id_ = 0;
  TransportFeedback transport_feedback_;
  std::int64_t next_transport_feedback_ms_ = 0;
};

}  // namespace rrtc::loadgen
