#pragma once
// The Router: every RTP packet a participant publishes goes to every other participant that
// subscribed to its track and whose filters pass, rewritten for that subscriber; and the RTCP
// that keeps those streams healthy (NACK both ways, PLI / FIR, SR, RR, REMB).
//
//   publisher RTP -> on_rtp: find the UpTrack by SSRC (RTX unwrapped), receive stats, upstream
//     NACK bookkeeping, one copy kept per layer for resends (PacketStore) -> for each DownTrack:
//     copy into the sink's egress slot, DownTrack::forward rewrites it, RouterSink::send_rtp
//     protects and sends
//   subscriber RTCP -> on_rtcp: NACK -> the publisher's stored copy rewritten as the DownTrack
//     sent it (policed, below);
//     PLI / FIR -> key frame request to the publisher (rate-limited); REMB -> remembered for the
//     publisher's REMB; report blocks (RR, or SR of a subscriber that also sends) -> its RTT
//   publisher RTCP -> on_rtcp: SR -> an SR per DownTrack with its own SSRC, counts and timestamp
//   handle_timeout: the deadlines that are due (below)
//
// Timers are deadlines, kept in one heap (room/timer_heap.hpp); nothing is periodic by itself:
// - upstream NACK: a gap in a publisher's track (one that negotiated NACK) is due at once, then
//   each missing packet again every NackOptions::retry_interval, at most max_tries times;
// - key frame: while a subscriber of a video track waits for a key frame (it subscribed, its
//   transport came up, the track resumed), the request is repeated every `keyframe_retry` after
//   the last one; a track muted by its publisher's state asks for none;
// - reports: a publisher's RR (and REMB) are due one `report_interval` after the first packet
//   it sent, then every report_interval while it keeps sending. Silence: the report blocks
//   cover the tracks heard since the publisher's previous report (RFC 3550 6.4); a publisher
//   none of whose tracks was heard during a whole report interval is silent, gets no report and
//   no deadline, until its next packet starts the cycle again.
// A room where nobody publishes, or whose publishers went silent, has no deadline at all.
//
// Policing (issue 15; nothing a client sends may cost the worker unbounded work):
// - ingress: each published track has two token buckets (packets and bits per second, one second
//   of burst); RTX counts against its track. An RTP packet over either is dropped before
//   fan-out and counted; a dropped media packet still counts as received (an upstream NACK for
//   it would only invite more of the excess). The first drop of a track, then at most one per
//   `policing_notice_interval`, leaves a PolicingNotice for the caller to log.
// - NACK answers: a packet is resent to a subscriber at most once per round trip (its RTT,
//   from the LSR / DLSR of its reports on our sender reports, clamped to [rtt_min, rtt_max];
//   `rtt_default` until known), and a subscriber's resent bytes come out of a budget earned at
//   retransmit_budget_percent % of the media bytes forwarded to it, at most
//   retransmit_burst_bytes saved up. A compound asking for a thousand packets thus costs a
//   lookup per number and a bounded number of resends.
// - REMB: a publisher's REMB is the lowest fresh estimate of its subscribers that is at least
//   1 / remb_outlier_ratio of their (upper) median: one subscriber far below the others is left
//   to lose packets rather than lower the video for everyone (remb_aggregate.hpp).
//
// Simulcast and allocation (issue 17):
// - upstream: a published track with `layers` has one receive state per layer (UpLayer: SSRC and
//   RTX SSRC, receive stats, sequence unwrapper, NACK tracker, key-frame request state, SR,
//   bitrate measured over kRateWindow, size from its key frames). SSRCs the offer did not signal
//   are learned from the first packet carrying the layer's rid (RFC 8852 rtp-stream-id), RTX ones
//   from repaired-rtp-stream-id; a packet naming another m-line's mid is never bound. find_up
//   stays a walk over the member's tracks and their (at most 3) layers. Upstream NACKs, PLI /
//   FIR (rate-limited per layer), RR report blocks and SR translation are per layer SSRC; a
//   subscriber's PLI goes to the layer it forwards or switches to. Policing counts every layer
//   against the track.
// - order: which layer is low or high is decided from key-frame sizes, else measured bitrates,
//   else the a=rid max-width/height restrictions, else the a=simulcast order (router_layers.cpp).
// - forwarding: the VP8 descriptor (and a key-frame probe for other codecs, only when a
//   subscriber waits) is read once per packet into a FrameInfo; only DownTracks whose current
//   or target layer is the packet's layer get a copy; DownTrack switches at the target's key
//   frame keeping seq / timestamp / picture id continuous.
// - allocation (router_allocation.cpp, room/allocator.hpp): per subscriber, over all its
//   tracks: audio, screen, the camera of an active speaker, other cameras; the subscriber's
//   estimate (set_estimate; 0 = none, no limit), each layer's measured bitrate and size, its
//   track_settings and current layer. Re-run when the estimate, settings, the track set, the
//   speakers or a layer's bitrate (by a quarter) / size / activity change, at most once per
//   kAllocationInterval per subscriber for estimate and bitrate changes (a deadline in the heap;
//   settings, renegotiation and publisher state apply at once). No periodic walk.
// - notices (take_stream_states / take_publish_layers, flagged so nothing is walked without
//   news): stream_state when a video link's pause reason or forwarded size changed, a layer
//   change reported after the switch happened; publish_layers (dynacast) when the set of rids
//   some subscriber needs (its target, plus the layer it forwards until the switch) changed.
// - probes: send_padding writes RTP padding-only packets on a started video DownTrack at a frame
//   boundary (DownTrack::padding_slot), with the subscriber's transport-cc element for its sink
//   to stamp. forwarded_bitrate sums the measured bitrates of the layers forwarded.
// REMB to a publisher whose video negotiated transport-cc carries only remb_max_bitrate: the
// engine feeds back what it measures of that publisher's uplink (transport-cc feedback), and
// per-subscriber layers keep a weak subscriber from lowering anyone else's video. A publisher
// without transport-cc (aiortc) still gets the subscriber-minimum aggregate below, capped by
// remb_max_bitrate; see "Policing".
//
// Active speakers: every audio packet of a published track that negotiated ssrc-audio-level
// (RFC 6464) gives its level to a SpeakerDetector (room/speaker_detector.hpp), one source per
// member; a muted member's packets are not read and muting forgets what it said. The caller
// evaluates it (active_speakers) on its own deadline; speech_heard() and speakers_idle() say
// when one is worth arming. Cost per audio packet: one extension lookup and a few compares.
//
// Filters (PROTOCOL.md): while muted a participant's audio is not forwarded, while video_on is
// false its camera, while screen_sharing is false its screen. A track that starts or resumes is
// resynced on every DownTrack and a key frame is asked for.
//
// Pure apart from the RouterSink: time is a parameter (media time, time/media_time.hpp; the
// caller says when copies departed, for the hop latency), nothing here reads a clock.
// Threading: one thread (the room's worker). The hot path (on_rtp, on_rtcp, handle_timeout)
// allocates nothing and takes no lock; add/remove/publish/subscribe/set_state may allocate.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "room/allocator.hpp"
#include "room/down_track.hpp"
#include "room/forward_counters.hpp"
#include "room/nack_tracker.hpp"
#include "room/participant.hpp"
#include "room/speaker_detector.hpp"
#include "room/timer_heap.hpp"
#include "room/track.hpp"
#include "time/media_time.hpp"

namespace rrtc::room {

// What a forwarded RTP packet is, for the subscriber's pacer (bwe/pacer.hpp): audio leaves at
// once, video and resends in order within the pacing rate, probe padding only when nothing
// waits; the first packet of a key frame also drops what still waits of its stream's earlier
// frames.
enum class SendKind : std::uint8_t { audio, video, keyframe, resend, padding };

// Where a member's packets go: its transport (SRTP + ICE). `buffer` has room for the SRTP
// overhead after `length` bytes; its content is unspecified afterwards. send_rtp is true when
// the packet left or waits to leave (paced).
class RouterSink {
 public:
  // Where to write the next forwarded copy so that it is written once: the send slot it will
  // leave from (io::SendRing::next_slot), passed back to send_rtp. Empty: the Router's buffer.
  virtual std::span<std::uint8_t> egress_slot() noexcept { return {}; }
  virtual bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length,
                        SendKind kind) noexcept = 0;
  virtual bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) noexcept = 0;

 protected:
  ~RouterSink() = default;
};

// Every interval must be positive: a deadline computed at `now` then always lies after it.
struct RouterOptions {
  DownTrackOptions video{256, time::to_duration(std::chrono::milliseconds(1000)),
                         time::to_duration(std::chrono::seconds(3))};
  DownTrackOptions audio{64, time::to_duration(std::chrono::milliseconds(1000)),
                         time::to_duration(std::chrono::seconds(3))};
  NackOptions nack;
  // At most one key-frame request per publisher track this often; repeated while a subscriber
  // still waits for one after `keyframe_retry`.
  time::Duration keyframe_min_interval = time::to_duration(std::chrono::milliseconds(300));
  time::Duration keyframe_retry = time::to_duration(std::chrono::milliseconds(1000));
  time::Duration report_interval = time::to_duration(std::chrono::seconds(1));
  // REMB to a publisher: the lowest estimate its subscribers reported in `remb_timeout`, outliers
  // below median / remb_outlier_ratio left out (0: none), capped by remb_max_bitrate (0: no cap,
  // and no REMB without estimates).
  std::uint64_t remb_max_bitrate = 3'000'000;
  time::Duration remb_timeout = time::to_duration(std::chrono::seconds(5));
  unsigned remb_outlier_ratio = 4;
  // Ingress policing per published track, one second of burst (0: no cap).
  std::uint64_t max_track_packets_per_second = 5000;
  std::uint64_t max_track_bitrate = 50'000'000;
  time::Duration policing_notice_interval = time::to_duration(std::chrono::seconds(10));
  // Resends to one subscriber: bytes in percent of the media bytes forwarded to it (0: no
  // budget), at most this many bytes saved up.
  std::uint32_t retransmit_budget_percent = 50;
  std::uint64_t retransmit_burst_bytes = 128 * 1024;
  // A packet is resent to a subscriber at most once per its round-trip time, clamped.
  time::Duration rtt_default = time::to_duration(std::chrono::milliseconds(100));
  time::Duration rtt_min = time::to_duration(std::chrono::milliseconds(20));
  time::Duration rtt_max = time::to_duration(std::chrono::seconds(1));
  SpeakerDetectorOptions speakers;
};

// One member with the floor (Router::active_speakers). `participant` is valid until the member
// is removed.
struct ActiveSpeaker {
  std::string_view participant;
  double level = 0;  // 0.0-1.0, speaker_detector.hpp
};

// A published track's counters (admin API statistics).
struct TrackCounters {
  std::uint64_t packets = 0;  // RTP received on it, RTX and policed packets included
  std::uint64_t bytes = 0;
  bool forwarding = false;  // its publisher's state lets it through and its last packet was
                            // not policed
};

// A published track's ingress was policed: the drops since its previous notice. `track_key`
// stays valid until the next publish() or remove() (which also drop a notice not taken).
struct PolicingNotice {
  std::string_view track_key;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

// Bytes the egress buffer holds: the largest RTP packet forwarded plus the SRTP overhead.
inline constexpr std::size_t kMaxForwardedPacket = 1500;
// Room a sink's buffer keeps after a packet (SRTP's auth tag, at most 16 bytes).
inline constexpr std::size_t kEgressHeadroom = 64;

// A `stream_state` for subscriber `participant` (PROTOCOL.md v1.1).
struct StreamStateNotice {
  std::string participant;
  StreamState state;
};
// A `publish_layers` for publisher `participant`: of its simulcast m-line `mid`, the rids some
// subscriber needs now (dynacast), in its a=simulcast order.
struct PublishLayersNotice {
  std::string participant;
  std::string mid;
  std::vector<std::string> active;
};

// A simulcast layer's measured bitrate is over this window; a layer not heard for
// kLayerTimeout (and not paused by publish_layers) counts as stopped by its publisher.
inline constexpr time::Duration kRateWindow = time::to_duration(std::chrono::seconds(1));
inline constexpr time::Duration kLayerTimeout = time::to_duration(std::chrono::seconds(2));
// A subscriber is re-allocated at most this often for estimates and bitrate changes.
inline constexpr time::Duration kAllocationInterval =
    time::to_duration(std::chrono::milliseconds(500));
// A video track forwarding a layer is paused for bandwidth only once the allocation has said so
// for this long; meanwhile it keeps its lowest layer. An estimate collapses for a moment more
// often than a link does: a key frame forwarded at once to a subscriber on a 400 kbit/s link
// fills its queue, the delay reads as over-use, and the decrease (0.85 x what it was sent while
// it waited for that key frame) lands far below its lowest layer until the next probe; pausing
// at once froze its picture for 1-2 s in the browser test. A link that cannot carry the lowest
// layer (100 kbit/s) keeps the estimate low for longer and is paused a second later.
inline constexpr time::Duration kBandwidthPauseGrace =
    time::to_duration(std::chrono::milliseconds(1000));

class Router {
 public:
  struct Member;

  Router(RouterOptions options, ForwardCounters& counters);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // `sink` must outlive the membership. The returned reference stays valid until remove().
  Member& add(std::string id, RouterSink& sink, ParticipantState state);
  void remove(Member& member);

  // The tracks `member` publishes now (after each answer to its offer). Tracks keep their
  // state when their key stays.
  void publish(Member& member, const std::vector<PublishedTrack>& tracks, time::Timestamp now);
  // The tracks `member` receives now (after each answer to a server offer). A subscription that
  // keeps its key and SSRC keeps its sequence numbers; new ones ask their publisher for a key
  // frame.
  void subscribe(Member& member, const std::vector<Subscription>& subscriptions,
                 time::Timestamp now);
  void set_state(Member& member, ParticipantState state, time::Timestamp now);
  // `member`'s transport is up: what it was sent before was lost, so every subscription starts
  // again at a key frame, and the tracks it publishes that subscribers wait on are asked for one
  // at once (earlier requests never reached it).
  void on_connected(Member& member, time::Timestamp now);
  // `member`'s track_settings for the track it receives as `update.track_id` (PROTOCOL.md v1.1):
  // omitted fields keep their value. A paused track is not forwarded; resuming it resyncs and
  // waits for a key frame. False when `member` receives no track of that id.
  bool set_track_settings(Member& member, const TrackSettingsUpdate& update, time::Timestamp now);
  // What `member` asked of its track `track_id`; nullopt when it receives none of that id.
  std::optional<TrackSettings> track_settings(const Member& member,
                                              std::string_view track_id) const noexcept;

  // Bandwidth (issue 17). `subscriber`'s downlink estimate in bit/s (0: none, no limit): its
  // tracks are re-allocated (room/allocator.hpp), at once or, within kAllocationInterval of
  // the previous allocation, at that deadline.
  void set_estimate(Member& subscriber, std::uint64_t bitrate, time::Timestamp now) noexcept;
  std::uint64_t estimate(const Member& subscriber) const noexcept;
  // Sends RTP padding-only packets (a probe) of about `bytes` in all to `subscriber` on one of
  // its started video tracks, at a frame boundary, with its transport-cc element for the sink
  // to stamp. Returns the bytes sent (0: no track can take padding now).
  std::size_t send_padding(Member& subscriber, std::size_t bytes, time::Timestamp now) noexcept;
  // What `subscriber`'s tracks forward now: the measured bitrate of each layer it receives.
  std::uint64_t forwarded_bitrate(const Member& subscriber) const noexcept;
  // What `subscriber`'s tracks would take with no bandwidth limit: the bitrates of the highest
  // layers its track_settings allow (allocator.hpp's layer_bitrate), audio included, as of its
  // last allocation; 0 before the first (unknown). The ceiling for its probes.
  std::uint64_t wanted_bitrate(const Member& subscriber) const noexcept;
  // Notices for signaling, gathered since the last call (after on_rtp, on_rtcp,
  // handle_timeout, set_estimate, set_track_settings, publish, subscribe, remove). Allocates
  // only when there is news; has_notices() is the cheap check.
  bool has_notices() const noexcept { return states_dirty_ || rids_dirty_; }
  std::vector<StreamStateNotice> take_stream_states();
  std::vector<PublishLayersNotice> take_publish_layers();

  // Hot path. `packet` is decrypted, in the receive buffer (it may be modified: RTX is
  // unwrapped in place).
  void on_rtp(Member& from, std::span<std::uint8_t> packet, time::Timestamp now) noexcept;
  // The copies handed to sinks since the last call left at `departed`: each is observed in the
  // hop-latency histogram as departed - arrived. The caller knows when they left (MediaRoom
  // sends one packet's copies in one batch).
  void departed(time::Timestamp arrived, time::Timestamp departed) noexcept;
  void on_rtcp(Member& from, std::span<const std::uint8_t> packet, time::Timestamp now) noexcept;
  // The notice left by the last on_rtp() that starts a new policing log window, once (see
  // "Policing" above); the caller logs it.
  std::optional<PolicingNotice> take_policing_notice() noexcept {
    return std::exchange(notice_, std::nullopt);
  }

  // The earliest time the Router has work (see "Timers" above); nullopt when it has none. Any
  // call above may move it: ask again after each.
  std::optional<time::Timestamp> next_timeout() const noexcept { return timers_.next(); }
  // Does what is due at or before `now`. Calling it early, or twice, is harmless.
  void handle_timeout(time::Timestamp now) noexcept;

  // Active speakers at `now`, loudest first, into `out` (cleared first; no allocation once
  // `out` has room for every member).
  void active_speakers(time::Timestamp now, std::vector<ActiveSpeaker>& out) noexcept;
  // A voiced packet arrived since the last active_speakers().
  bool speech_heard() const noexcept { return speakers_.heard_voice(); }
  // active_speakers() cannot change before the next packet (nobody speaks or may start to).
  bool speakers_idle(time::Timestamp now) const noexcept { return speakers_.idle(now); }
  // The counters of `member`'s published track `track_key`; nullopt when it publishes none.
  std::optional<TrackCounters> track_counters(const Member& member,
                                              std::string_view track_key) const noexcept;

  // For tests and logs.
  std::size_t members() const noexcept { return members_.size(); }
  std::size_t subscriptions_of(const Member& member) const noexcept;
  // The server's SSRC for the RTCP it sends to `member`.
  std::uint32_t rtcp_ssrc(const Member& member) const noexcept;
  // `member`'s round-trip time as its reports measured it; nullopt before the first.
  std::optional<time::Duration> rtt(const Member& member) const noexcept;

 private:
  struct Timer;
  struct UpLayer;
  struct UpTrack;
  struct DownLink;
  struct AllocationTimer;
  struct Found {
    UpTrack* up = nullptr;
    int layer = -1;
  };

  void relink();
  void reserve_timers();
  // Refreshes `up`'s deadline from its NACK tracker and key-frame wait (O(1)).
  void reschedule(UpTrack& up) noexcept;
  void refresh_waiting(UpTrack& up) noexcept;
  void on_track_due(UpTrack& up, time::Timestamp now) noexcept;
  // Binds an unknown SSRC of `from` from the mid / rid / repaired-rid extension (no a=ssrc).
  Found learn_ssrc(Member& from, const rtp::Packet& packet, time::Timestamp now) noexcept;
  // Per-layer receive accounting: bitrate window, its roll-over (router_layers.cpp).
  void count_layer(UpTrack& up, int layer, std::size_t size, time::Timestamp now) noexcept;
  void roll_window(UpTrack& up, int layer, time::Timestamp now) noexcept;
  // Recomputes up.order (low to high) from sizes, bitrates, restrictions, position.
  void reorder(UpTrack& up) noexcept;
  // A key frame of `layer` said its size.
  void learn_size(UpTrack& up, int layer, std::uint32_t width, std::uint32_t height,
                  time::Timestamp now) noexcept;
  int rank_of(const UpTrack& up, int layer) const noexcept;
  // Allocation (router_allocation.cpp).
  void request_allocation(Member& subscriber, time::Timestamp now, bool urgent) noexcept;
  void allocate_for(Member& subscriber, time::Timestamp now) noexcept;
  // `up`'s subscribers' stream_state may have changed; their allocation too when `layers`
  // (what a simulcast choice depends on changed) or when they have an estimate (bitrates).
  void mark_subscribers(UpTrack& up, time::Timestamp now, bool layers) noexcept;
  void reserve_scratch();
  StreamState state_of(const DownLink& link) const noexcept;
  void on_reports_due(Member& member, time::Timestamp now) noexcept;
  // Reads `packet`'s RFC 6464 level, if `up` negotiated it, into the speaker detector.
  void observe_level(Member& from, const UpTrack& up, const rtp::Packet& packet,
                     time::Timestamp now) noexcept;
  // For every layer some subscriber waits on (rate-limited per layer).
  void request_keyframe(UpTrack& up, time::Timestamp now) noexcept;
  void request_keyframe(UpTrack& up, int layer, time::Timestamp now) noexcept;
  void forward(UpTrack& up, int layer, rtp::Packet& packet, std::int64_t extended_seq,
               FrameInfo& frame, time::Timestamp now) noexcept;
  void on_sender_report(Member& from, std::uint32_t ssrc, std::uint64_t ntp, std::uint32_t rtp,
                        time::Timestamp now) noexcept;
  void on_nack(Member& from, std::uint32_t media_ssrc, std::span<const std::uint16_t> lost,
               time::Timestamp now) noexcept;
  // One report block about `ssrc` (a DownTrack of `from`): its RTT, when it echoes our SR.
  void on_report_block(Member& from, std::uint32_t ssrc, std::uint32_t last_sr,
                       std::uint32_t delay_since_last_sr, time::Timestamp now) noexcept;
  // False when the packet is over `up`'s ingress caps (counted, and noticed).
  bool admit(UpTrack& up, std::size_t size, time::Timestamp now) noexcept;
  std::uint64_t remb_estimate(Member& publisher, time::Timestamp now) noexcept;
  void send_nacks(UpTrack& up, UpLayer& layer, time::Timestamp now) noexcept;
  // False when none of `member`'s tracks was heard since its previous report (it is silent).
  bool send_reports(Member& member, time::Timestamp now) noexcept;
  Found find_up(Member& member, std::uint32_t ssrc) noexcept;
  DownLink* find_down(Member& member, std::uint32_t ssrc) noexcept;
  bool send_rtcp(Member& to, std::size_t length) noexcept;
  // The RTCP buffer minus the room SRTCP needs after the packet.
  std::span<std::uint8_t> rtcp_writable() noexcept {
    return std::span<std::uint8_t>(rtcp_.data(), rtcp_.size() - 24);
  }
  std::uint32_t next_ssrc() noexcept;

  RouterOptions options_;
  ForwardCounters& counters_;
  std::vector<std::unique_ptr<Member>> members_;
  TimerHeap timers_;  // one node per member (reports) and per published track (NACK, key frame)
  std::uint32_t ssrc_state_;
  std::size_t undeparted_copies_ = 0;  // sent since the last departed()
  std::optional<PolicingNotice> notice_;
  std::vector<std::uint64_t> remb_scratch_;  // one estimate per member, reserved in add()
  std::uint64_t remb_round_ = 0;             // marks subscribers already counted in one REMB
  SpeakerDetector speakers_;                 // one source per member
  std::vector<Member*> speaker_members_;     // source -> member (nullptr: free)
  std::vector<SpeakerDetector::Speaker> speaker_scratch_;
  // Allocation scratch, reserved for the largest subscriber (reserve_scratch()).
  std::vector<AllocationInput> alloc_in_;
  std::vector<AllocationOutput> alloc_out_;
  std::vector<LayerRate> alloc_rates_;
  bool states_dirty_ = false;  // some DownLink's stream_state may have changed
  bool rids_dirty_ = false;    // some simulcast UpTrack's needed layers may have changed
  alignas(16) std::array<std::uint8_t, kMaxForwardedPacket + kEgressHeadroom> egress_{};
  alignas(16) std::array<std::uint8_t, 1500> rtcp_{};
};

}  // namespace rrtc::room
