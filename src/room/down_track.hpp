#pragma once
// One published track as one subscriber receives it: the rewriting of a forwarded copy (SSRC,
// payload type, sequence number, timestamp, extension ids, VP8 picture id / TL0PICIDX / KEYIDX),
// the choice of which simulcast layer and temporal layers it forwards, and what each forwarded
// packet was sent as, so a NACK is answered from the publisher's one stored copy.
//
// Continuity: outgoing sequence numbers and timestamps never jump backwards. After a pause
// (mute, camera off, screen stop, a -1 target layer), at the start, or at a switch to another
// simulcast layer, the next forwarded packet is re-based to follow the last one sent: sequence
// number + 1, timestamp advanced by the wall-clock time since, VP8 picture id, TL0PICIDX and
// KEYIDX + 1, so the subscriber's decoder and SRTP replay window see one continuous stream. A
// video track starts, resumes and changes layer only at a key frame of the layer it goes to
// (or, when nothing is being forwarded and the publisher never sends a key frame the probe
// recognises, after `keyframe_wait_limit`).
//
// Simulcast: each layer is its own RTP stream (own SSRC, sequence numbers and timestamps, one
// clock rate); the caller passes every packet of the track with its layer index and the
// layer's unwrapped sequence number. Only the current layer is forwarded. After
// set_target_layer() to another layer the current one keeps flowing until a key frame of the
// target arrives; that packet is the switch point, and the old layer's later packets are
// dropped (other_layer).
//
// Temporal layers (VP8 with T): packets whose TID is above the allowed one are dropped and the
// sequence numbers and picture ids after them shift down, so the subscriber sees no gap. The
// allowed TID goes down at the next picture start and up one step at a time at a layer-sync
// (Y) picture of the next TID, or at once at a key frame. Out-of-order packets take the numbers
// reserved for them when their gap was seen (a small ring indexed by sequence number).
//
// Pure: time is a parameter. The sent map (retransmit_packets entries of 32 bytes, with NACK)
// and the sequence ring (12-byte slots) are allocated at construction; forward() allocates
// nothing.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "room/track.hpp"
#include "rtp/packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "rtp/vp9_descriptor.hpp"
#include "time/media_time.hpp"

namespace rrtc::room {

struct DownTrackOptions {
  std::size_t retransmit_packets = 256;
  time::Duration retransmit_age = time::to_duration(std::chrono::milliseconds(1000));
  time::Duration keyframe_wait_limit = time::to_duration(std::chrono::seconds(3));
};

enum class ForwardResult : std::uint8_t {
  forwarded,
  waiting_keyframe,  // video not started/resumed yet
  stale,             // older than the resync point: would go backwards
  unmapped,          // payload type the subscriber did not accept
  rewrite_failed,    // extension ids did not fit the block
  other_layer,       // a simulcast layer this subscriber does not receive now (incl. the old
                     // layer's stragglers after a switch, and the target's before its key frame)
  paused,            // target layer -1: nothing is forwarded
  temporal_dropped,  // VP8 temporal layer above the allowed one (or a reserved slot's duplicate)
};

// What the Router learned of one incoming packet, once, for every DownTrack of the track.
struct FrameInfo {
  bool keyframe = false;  // starts a key frame (the codec's probe, or vp8->keyframe)
  int temporal_id = -1;   // -1 unknown
  std::optional<rtp::Vp8Descriptor> vp8;  // VP8 packets: rewritten and temporal-filtered
  std::uint32_t width = 0, height = 0;    // a key frame's size when the codec says it, else 0
  // VP9 packets: picture id and TL0PICIDX continue across switches (no temporal filter).
  std::optional<rtp::Vp9Descriptor> vp9;
};

class DownTrack {
 public:
  // Starts waiting for a key frame (video) at `now`.
  DownTrack(Subscription subscription, const DownTrackOptions& options, time::Timestamp now);

  const Subscription& subscription() const noexcept { return sub_; }
  std::uint32_t ssrc() const noexcept { return sub_.ssrc; }
  // Takes new payload type / extension maps and NACK (a renegotiation kept this track);
  // continuity stays. Allocates when NACK was turned on.
  void update(const Subscription& subscription);

  // The next forwarded packet re-bases sequence numbers and timestamps; video waits for a key
  // frame from `now`.
  void resync(time::Timestamp now) noexcept;
  // Nothing is forwarded and the track waits for a key frame of the target layer (video).
  bool waiting_keyframe() const noexcept { return sub_.video && current_ < 0 && target_ >= 0; }
  time::Timestamp waiting_since() const noexcept { return waiting_since_; }

  // Simulcast: which spatial layer this subscription forwards (0 for a track without layers,
  // the default). A switch happens at a key frame of the target layer; -1 forwards nothing (the
  // current layer becomes -1 at once) and a later target waits for a key frame again.
  void set_target_layer(int layer) noexcept;
  int target_layer() const noexcept { return target_; }
  int current_layer() const noexcept { return current_; }  // -1: nothing forwarded now
  // Waiting for a key frame of the target layer (video: to start, resume or switch): the Router
  // asks the publisher for one on that layer. Audio never waits (it switches at any packet).
  bool switch_pending() const noexcept { return sub_.video && target_ >= 0 && current_ != target_; }
  // VP8 temporal layers: forward TIDs up to `tid` (negative or above 3: all).
  void set_max_temporal_layer(int tid) noexcept;
  int max_temporal_layer() const noexcept { return max_tid_; }
  // The TID forwarded now (it follows max_temporal_layer() at picture starts and sync points).
  int current_temporal_layer() const noexcept { return cur_tid_; }

  // Rewrites `packet` (the subscriber's copy) in place when it is forwarded. `layer` is its
  // simulcast layer, `extended_seq` the publisher's unwrapped sequence number of it on that
  // layer, `frame` what the Router parsed of it (its `vp8` offsets must match this packet).
  ForwardResult forward(rtp::Packet& packet, int layer, std::int64_t extended_seq,
                        const FrameInfo& frame, time::Timestamp now) noexcept;
  // Before simulcast: layer 0, only the key-frame flag.
  ForwardResult forward(rtp::Packet& packet, std::int64_t extended_seq, bool keyframe,
                        time::Timestamp now) noexcept {
    FrameInfo frame;
    frame.keyframe = keyframe;
    return forward(packet, 0, extended_seq, frame, now);
  }

  // The header of an RTP padding-only packet (bandwidth probes) that may go now: the track was
  // started and the last packet sent ended a frame (marker bit). It takes the next sequence
  // number (later media packets shift by one) and repeats the last timestamp; nullopt when
  // a frame is incomplete, a number is kept for a packet still missing, or nothing was sent
  // yet. Also while paused (a probe may decide to resume). Counted in packets_sent().
  struct PaddingSlot {
    std::uint16_t seq;
    std::uint32_t timestamp;
    std::uint8_t payload_type;
  };
  std::optional<PaddingSlot> padding_slot(time::Timestamp now) noexcept;
  // What one forwarded packet was sent as, kept (when the subscriber negotiated NACK) under its
  // outgoing sequence number: a resend is the publisher's stored copy of `in_seq` on `layer`
  // (PacketStore) rewritten with these values, so no copy of the packet is kept here.
  struct SentCopy {
    std::int64_t in_seq = 0;  // the publisher's extended sequence number on `layer`
    time::Timestamp resent_at{};
    // The low 32 bits of the extended number it was sent with (the subscriber's numbering):
    // enough to tell it from a copy 2^16 numbers older, the map holding far fewer.
    std::uint32_t out_seq = 0;
    std::uint32_t ts_offset = 0;
    std::uint16_t picture_delta = 0;
    std::uint8_t tl0_delta = 0;
    std::uint8_t keyidx_delta = 0;
    std::uint8_t payload_type = 0;
    std::int8_t layer = 0;
    bool resent = false;  // resent_at holds the last resend
    bool kept = false;    // false: an empty entry
  };
  static_assert(sizeof(SentCopy) == 32);
  // The packet sent with number `seq` (among the last retransmit_packets numbers), or nullptr.
  const SentCopy* sent(std::uint16_t seq) const noexcept;
  // Nothing sent so far can be resent (the publisher's stream it came from is gone).
  void forget_sent() noexcept { std::fill(sent_.begin(), sent_.end(), SentCopy{}); }
  // Rewrites `packet`, a copy of the publisher's packet `copy.in_seq`, into what was sent as
  // `copy`: extension ids, payload type, SSRC, sequence number, timestamp and (with `frame.vp8`
  // or `frame.vp9`, the descriptor as parsed from `packet`) picture id / TL0PICIDX (/ VP8's
  // KEYIDX). False when its extension ids do not fit the block.
  bool rewrite_resend(rtp::Packet& packet, const SentCopy& copy,
                      const FrameInfo& frame) const noexcept;

  // Whether the packet `seq` was resent less than `interval` before `now` (a NACK repeated
  // within the subscriber's round trip asks for a copy already on its way).
  bool resent_within(std::uint16_t seq, time::Timestamp now,
                     time::Duration interval) const noexcept {
    const SentCopy* copy = sent(seq);
    return copy != nullptr && copy->resent && now - copy->resent_at < interval;
  }
  void mark_resent(std::uint16_t seq, time::Timestamp now) noexcept {
    if (sent_.empty()) return;
    SentCopy& copy = sent_[seq % sent_.size()];
    if (!copy.kept || static_cast<std::uint16_t>(copy.out_seq) != seq) return;
    copy.resent = true;
    copy.resent_at = now;
  }

  bool started() const noexcept { return started_; }
  // Outgoing timestamp for a publisher timestamp (sender reports).
  std::uint32_t map_timestamp(std::uint32_t publisher_timestamp) const noexcept {
    return publisher_timestamp + ts_offset_;
  }
  std::uint32_t packets_sent() const noexcept { return packets_; }
  std::uint32_t octets_sent() const noexcept { return octets_; }

 private:
  static std::size_t sent_slots(const Subscription& subscription,
                                const DownTrackOptions& options) noexcept {
    return subscription.nack ? std::max<std::size_t>(options.retransmit_packets, 1) : 0;
  }
  void record_sent(std::int64_t out_seq, int layer, std::int64_t in_seq,
                   std::uint16_t picture_delta, std::uint8_t payload_type) noexcept;

  // What became of one incoming sequence number of the current layer: the offsets it was (or,
  // for a gap, will be) forwarded with, or that it was dropped. 12 bytes, so the number and its
  // offset are kept modulo 2^32: a slot is only read for a number less than the ring behind
  // highest_in_ and at or after resync_base_, so it was written since the last rebase; its low
  // 32 bits name it, and its offset differs from seq_delta_ by at most the packets dropped
  // since (fewer than the ring), so seq_delta_ restores the high bits (delta_of).
  struct SeqSlot {
    enum class State : std::uint8_t { empty, kept, dropped };
    std::uint32_t seq = 0;
    std::uint32_t seq_delta = 0;
    std::uint16_t picture_delta = 0;
    std::int8_t max_tid = 3;  // the TID allowed when the slot was reserved
    State state = State::empty;
  };
  static_assert(sizeof(SeqSlot) == 12);
  SeqSlot& slot_for(std::int64_t seq) noexcept {
    return seq_ring_[static_cast<std::size_t>(seq) % seq_ring_.size()];
  }
  void keep_slot(std::int64_t seq, std::int64_t seq_delta, std::uint16_t picture_delta,
                 int max_tid) noexcept {
    slot_for(seq) = SeqSlot{static_cast<std::uint32_t>(seq), static_cast<std::uint32_t>(seq_delta),
                            picture_delta, static_cast<std::int8_t>(max_tid), SeqSlot::State::kept};
  }
  std::int64_t delta_of(const SeqSlot& slot) const noexcept {
    return seq_delta_ +
           static_cast<std::int32_t>(slot.seq_delta - static_cast<std::uint32_t>(seq_delta_));
  }
  // Whether `layer`'s packet is a switch point now (the target layer's key frame, or any packet
  // when nothing flows and the wait limit passed).
  bool switch_point(const FrameInfo& frame, time::Timestamp now) noexcept;
  void rebase(int layer, const rtp::Packet& packet, std::int64_t extended_seq,
              const FrameInfo& frame, time::Timestamp now) noexcept;
  // In-order VP8 temporal filter: drops TIDs above cur_tid_, which moves at picture starts.
  bool temporal_drop(const FrameInfo& frame) noexcept;
  void drop_picture(std::uint16_t picture) noexcept;
  void forwarded_picture(std::uint16_t picture) noexcept;
  static bool newer_picture(std::uint16_t a, std::uint16_t b) noexcept {
    const int ahead = (a - b) & kPictureMask;
    return ahead != 0 && ahead < 0x4000;
  }
  void rewrite_vp8(rtp::Packet& packet, const rtp::Vp8Descriptor& vp8, std::uint16_t picture_delta,
                   bool newest) noexcept;
  void rewrite_vp9(rtp::Packet& packet, const rtp::Vp9Descriptor& vp9, std::uint16_t picture_delta,
                   bool newest) noexcept;

  static constexpr int kMaxTid = 3;  // VP8's TID has 2 bits
  static constexpr std::uint16_t kPictureMask = 0x7fff;
  // Reordering window of the sequence map: ~0.5 s of 1 Mbit/s video, ~1.3 s of audio.
  static constexpr std::size_t kVideoSeqRing = 512;
  static constexpr std::size_t kAudioSeqRing = 64;

  Subscription sub_;
  DownTrackOptions options_;
  std::vector<SentCopy> sent_;     // by outgoing number; empty without NACK
  std::vector<SeqSlot> seq_ring_;  // allocated once
  bool started_ = false;           // something was forwarded
  int target_ = 0;
  int current_ = -1;
  bool pending_since_set_ = false;  // waiting_since_ holds when the wait began
  time::Timestamp waiting_since_{};
  int max_tid_ = 3;
  int cur_tid_ = 3;
  // Current layer, publisher side.
  std::int64_t resync_base_ = 0;  // extended seq of the switch point
  std::int64_t highest_in_ = 0;   // newest extended seq seen since
  std::int64_t seq_delta_ = 0;    // out extended = in extended + delta (for new packets)
  std::uint32_t ts_offset_ = 0;
  std::uint16_t picture_delta_ = 0;  // out picture id = in + delta (mod 2^15)
  std::uint8_t tl0_delta_ = 0;
  std::uint8_t keyidx_delta_ = 0;
  // Recent VP8 pictures (publisher's ids) whose fate is known: dropped (counted in
  // picture_delta_) or forwarded (its id used), so a picture is counted once.
  struct PictureMark {
    std::uint16_t picture = 0;
    bool valid = false;
  };
  std::array<PictureMark, 32> pictures_{};
  std::optional<std::uint16_t> last_forwarded_picture_;  // publisher's id, current layer
  // Subscriber side: numbering, and the packet sent with the highest number.
  std::int64_t last_out_seq_ = 0;   // extended; the highest number sent or kept for a gap
  std::int64_t last_sent_seq_ = 0;  // extended; the highest number sent (media or padding)
  std::uint32_t last_out_ts_ = 0;
  time::Timestamp last_out_time_{};
  std::uint8_t last_out_payload_type_ = 0;
  bool last_out_marker_ = false;
  std::optional<std::uint16_t> last_out_picture_;  // 15-bit space
  std::optional<std::uint8_t> last_out_tl0_;
  std::optional<std::uint8_t> last_out_keyidx_;
  std::uint32_t packets_ = 0;
  std::uint32_t octets_ = 0;
};

}  // namespace rrtc::room
