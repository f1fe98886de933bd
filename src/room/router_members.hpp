#pragma once
// The Router's private state: what it keeps per member, per published track (UpTrack) and per
// subscription (DownLink). Included only by the Router's own sources (router.cpp,
// router_rtcp.cpp), which share it.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "room/router.hpp"
#include "room/token_bucket.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/seq_unwrapper.hpp"

namespace rrtc::room {

// A deadline in the Router's heap, and which kind of owner it belongs to (the heap hands back
// the node; the kind says what to cast it to).
struct Router::Timer : TimerNode {
  enum class Kind : std::uint8_t { reports, track };
  explicit Timer(Kind k) : kind(k) {}
  Kind kind;
};

struct Router::UpTrack : Router::Timer {
  UpTrack(const PublishedTrack& track, Member* member, const RouterOptions& options)
      : Timer(Kind::track),
        info(track),
        owner(member),
        stats(track.codecs.empty() ? 90000 : track.codecs.front().clock_rate),
        nacks(options.nack),
        packet_bucket(options.max_track_packets_per_second),
        bit_bucket(options.max_track_bitrate) {
    index_codecs();
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
  // Upstream NACKs are sent for this track: its SSRC is known and it negotiated NACK.
  bool nackable() const noexcept {
    return info.ssrc != 0 && !info.codecs.empty() && info.codecs.front().nack;
  }
  // A key-frame request can be sent, and one is wanted by a subscriber.
  bool wants_keyframe() const noexcept {
    return awaiting_keyframe && enabled && info.video && info.ssrc != 0 && !info.codecs.empty();
  }

  PublishedTrack info;
  Member* owner;
  std::array<std::int8_t, 128> codec_of{};  // payload type -> index in info.codecs
  std::array<std::int8_t, 128> rtx_of{};    // RTX payload type -> the codec it repairs
  rtp::ReceiveStats stats;
  rtp::SeqUnwrapper seq;
  NackTracker nacks;
  std::vector<DownLink*> downs;
  bool enabled = true;
  bool heard = false;              // a packet arrived since the owner's last report
  bool awaiting_keyframe = false;  // some DownLink in `downs` waits for a key frame
  bool requested = false;
  time::Timestamp last_keyframe_request{};
  bool has_sr = false;
  std::uint32_t last_sr = 0;  // middle 32 bits of the SR's NTP time
  time::Timestamp last_sr_at{};
  std::uint8_t fir_seq = 0;
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
  std::array<SentReport, 4> reports{};
  std::size_t next_report = 0;
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
};

}  // namespace rrtc::room
