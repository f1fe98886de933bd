#pragma once
// The Router's private state: what it keeps per member, per published track (UpTrack) and per
// subscription (DownLink). Included only by the Router's own sources (router.cpp,
// router_rtcp.cpp), which share it.

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "room/packet_store.hpp"
#include "room/received_window.hpp"
#include "room/router.hpp"
#include "room/token_bucket.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/seq_unwrapper.hpp"

namespace rrtc::room {

// A deadline in the Router's heap, and which kind of owner it belongs to (the heap hands back
// the node; the kind says what to cast it to).
struct Router::Timer : TimerNode {
  enum class Kind : std::uint8_t { reports, track, allocation };
  explicit Timer(Kind k) : kind(k) {}
  Kind kind;
};

// One RTP stream a publisher sends on a track: the track itself, or one simulcast layer (its
// own SSRC, sequence numbers and timestamps; RFC 8853). Its receive state, upstream NACKs,
// key-frame requests, SR and measured bitrate are its own.
struct Router::UpLayer {
  UpLayer(std::uint32_t clock_rate, const NackOptions& options)
      : stats(clock_rate), nacks(options) {}
  std::uint32_t ssrc = 0;      // 0: not known yet (learned from the mid or rid extension)
  std::uint32_t rtx_ssrc = 0;  // 0: none, or not learned yet
  rtp::ReceiveStats stats;
  rtp::SeqUnwrapper seq;
  NackTracker nacks;
  ReceivedWindow received;  // a packet that arrives twice (RTX padding) is forwarded once
  // The publisher's copy of recent packets, shared by the subscribers' resends: allocated when
  // a subscriber that negotiated NACK is linked (relink).
  PacketStore store;
  bool heard = false;              // a packet arrived since the owner's last report
  bool awaiting_keyframe = false;  // a DownLink waits for a key frame of this layer
  bool requested = false;
  time::Timestamp last_keyframe_request{};
  std::uint8_t fir_seq = 0;
  bool has_sr = false;
  std::uint32_t last_sr = 0;  // middle 32 bits of the SR's NTP time
  time::Timestamp last_sr_at{};
  // Measured bitrate: the bytes of the current window, rolled over every kRateWindow.
  time::Timestamp last_packet{};
  bool window_open = false;
  bool stopped = false;  // not heard for kLayerTimeout (noticed when another layer's window rolled)
  time::Timestamp window_start{};
  std::uint64_t window_bytes = 0;
  std::uint64_t bitrate = 0;            // bit/s over the last whole window, 0: not measured yet
  std::uint64_t allocated_bitrate = 0;  // `bitrate` when allocation last looked at it
  std::uint32_t width = 0;              // from the last key frame that said, 0: unknown
  std::uint32_t height = 0;
};

struct Router::UpTrack : Router::Timer {
  UpTrack(const PublishedTrack& track, Member* member, const RouterOptions& options)
      : Timer(Kind::track),
        info(track),
        owner(member),
        packet_bucket(options.max_track_packets_per_second),
        bit_bucket(options.max_track_bitrate) {
    const std::uint32_t clock = track.codecs.empty() ? 90000 : track.codecs.front().clock_rate;
    const std::size_t n = std::clamp<std::size_t>(track.layers.size(), 1, kMaxSpatialLayers);
    layers.reserve(n);
    for (std::size_t i = 0; i < n; ++i) layers.emplace_back(clock, options.nack);
    take_signalled_ssrcs();
    index_codecs();
    active_rids = static_cast<std::uint8_t>((1u << n) - 1);  // a publisher starts with all
  }
  void index_codecs() {
    codec_of.fill(-1);
    rtx_of.fill(-1);
    for (std::size_t i = 0; i < info.codecs.size() && i < 127; ++i) {
      const auto& codec = info.codecs[i];
      codec_of[codec.payload_type & 0x7f] = static_cast<std::int8_t>(i);
      if (codec.rtx_payload_type)
        rtx_of[*codec.rtx_payload_type & 0x7f] = static_cast<std::int8_t>(i);
    }
  }
  // The SSRCs the offer signalled (a=ssrc, SIM / FID groups); learned ones are kept when the
  // offer has none.
  void take_signalled_ssrcs() {
    if (!simulcast()) {
      if (info.ssrc != 0) layers[0].ssrc = info.ssrc;
      if (info.rtx_ssrc != 0) layers[0].rtx_ssrc = info.rtx_ssrc;
      return;
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
      if (info.layers[i].ssrc != 0) layers[i].ssrc = info.layers[i].ssrc;
      if (info.layers[i].rtx_ssrc != 0) layers[i].rtx_ssrc = info.layers[i].rtx_ssrc;
    }
  }
  bool simulcast() const noexcept { return !info.layers.empty(); }
  // Upstream NACKs are sent for this layer: its SSRC is known and the track negotiated NACK.
  bool nackable(const UpLayer& layer) const noexcept {
    return layer.ssrc != 0 && !info.codecs.empty() && info.codecs.front().nack;
  }
  // A key-frame request can be sent for `layer`, and one is wanted by a subscriber.
  bool wants_keyframe(const UpLayer& layer) const noexcept {
    return layer.awaiting_keyframe && enabled && info.video && layer.ssrc != 0 &&
           !info.codecs.empty();
  }
  bool wants_keyframe() const noexcept {
    return std::any_of(layers.begin(), layers.end(),
                       [&](const UpLayer& l) { return wants_keyframe(l); });
  }
  bool awaiting_keyframe() const noexcept {
    return std::any_of(layers.begin(), layers.end(),
                       [](const UpLayer& l) { return l.awaiting_keyframe; });
  }
  // The layer a packet with this SSRC belongs to (media or RTX), -1: none.
  int layer_of(std::uint32_t ssrc) const noexcept {
    for (std::size_t i = 0; i < layers.size(); ++i) {
      if (layers[i].ssrc == ssrc || (layers[i].rtx_ssrc != 0 && layers[i].rtx_ssrc == ssrc)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  PublishedTrack info;
  Member* owner;
  std::array<std::int8_t, 128> codec_of{};  // payload type -> index in info.codecs
  std::array<std::int8_t, 128> rtx_of{};    // RTX payload type -> the codec it repairs
  std::vector<UpLayer> layers;              // info.layers' order; one for a single stream
  // Spatial order: order[0] is the index in `layers` of the lowest layer (router_layers.cpp).
  std::array<std::uint8_t, kMaxSpatialLayers> order{0, 1, 2};
  std::vector<DownLink*> downs;
  bool enabled = true;
  bool heard = false;            // a packet arrived on some layer since the owner's last report
  std::uint8_t active_rids = 0;  // the layers last announced in publish_layers (bit mask)
  bool rids_dirty = false;       // the needed set may have changed: compare and announce
  // Ingress policing (RTX included) and the drops not yet in a PolicingNotice.
  RateBucket packet_bucket;
  RateBucket bit_bucket;
  std::uint64_t policed_packets = 0;
  std::uint64_t policed_bytes = 0;
  bool noticed = false;
  time::Timestamp last_notice{};
  // Statistics: everything received on the track, and whether its last packet was policed.
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  bool policed_now = false;
};

struct Router::DownLink {
  DownLink(const Subscription& subscription, const DownTrackOptions& options, time::Timestamp now,
           Member* member)
      : track(subscription, options, now), subscriber(member) {}
  // Our recent sender reports on this track: a report block that echoes one (LSR) gives the
  // subscriber's RTT from when we sent it.
  struct SentReport {
    std::uint32_t compact_ntp = 0;  // middle 32 bits of the SR's NTP time
    time::Timestamp sent_at{};
    bool valid = false;
  };
  DownTrack track;
  Member* subscriber;
  TrackSettings settings;  // the subscriber's track_settings; paused: not forwarded
  UpTrack* up = nullptr;
  // Allocation (router_allocation.cpp): why allocate() paused it (none, bandwidth, publisher).
  StreamPause pause = StreamPause::none;
  // When allocate() first kept its lowest layer only for keep_lowest (squeezed): it is kept so
  // until kBandwidthPauseGrace after (router.hpp), then paused if it still does not fit.
  std::optional<time::Timestamp> bandwidth_pause_since;
  // The stream_state the subscriber was last told (initially: active, size unknown), and
  // whether it may differ now.
  StreamPause told_pause = StreamPause::none;
  std::uint32_t told_width = 0;
  std::uint32_t told_height = 0;
  bool state_dirty = false;
  int shown_layer = -1;  // DownTrack::current_layer() when last looked at
  std::array<SentReport, 4> reports{};
  std::size_t next_report = 0;
};

// A subscriber's re-allocation deadline (at most one allocation per kAllocationInterval).
struct Router::AllocationTimer : Router::Timer {
  explicit AllocationTimer(Member* m) : Timer(Kind::allocation), member(m) {}
  Member* member;
};

// The member's own timer node is its report deadline.
struct Router::Member : Router::Timer {
  Member() : Timer(Kind::reports) {}
  std::string id;
  RouterSink* sink = nullptr;
  ParticipantState state;
  std::uint32_t rtcp_ssrc = 0;
  SpeakerDetector::Source speaker = 0;  // its source in the Router's SpeakerDetector
  std::vector<std::unique_ptr<UpTrack>> ups;
  std::vector<std::unique_ptr<DownLink>> downs;
  bool has_remb = false;
  std::uint64_t remb_bps = 0;
  time::Timestamp remb_at{};
  std::uint64_t remb_round = 0;  // Router::remb_round_ when last counted in a publisher's REMB
  // As a subscriber: its RTT (smoothed, RFC 6298 style 7/8) and its retransmit budget.
  std::optional<time::Duration> rtt;
  ShareBucket retransmit_budget;
  // As a subscriber: its downlink estimate (0: none, no limit) and its allocation's pacing.
  std::uint64_t estimate = 0;
  // What its tracks would take without a bandwidth limit (their highest layers its settings
  // allow), at the last allocation: probing beyond it finds nothing the subscriber could use.
  std::uint64_t wanted = 0;
  AllocationTimer allocation{this};
  bool allocation_dirty = false;
  bool allocated = false;  // last_allocation is set
  time::Timestamp last_allocation{};
  // As a publisher: among the active speakers at the last active_speakers() (its camera then
  // has the `speaker` priority).
  bool speaking = false;
};

}  // namespace rrtc::room
