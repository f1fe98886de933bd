#pragma once
// One published track as one subscriber receives it: the rewriting of a forwarded copy (SSRC,
// payload type, sequence number, timestamp, extension ids) and the copies kept for NACKs.
//
// Continuity: outgoing sequence numbers and timestamps never jump backwards. After a pause
// (mute, camera off, screen stop) or at the start, resync() makes the next forwarded packet
// follow the last one sent: sequence number + 1, timestamp advanced by the wall-clock time
// since, so the subscriber's decoder and SRTP replay window see one continuous stream. A video
// track starts and resumes only at a key frame (or, should the publisher never send one the
// probe recognises, after `keyframe_wait_limit`).
//
// Pure: time is a parameter. The retransmit buffer is allocated at construction; forward()
// allocates nothing.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "room/track.hpp"
#include "rtp/packet.hpp"
#include "rtp/retransmit_buffer.hpp"
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
  bool waiting_keyframe() const noexcept { return waiting_keyframe_; }
  time::Timestamp waiting_since() const noexcept { return waiting_since_; }

  // Rewrites `packet` (the subscriber's copy) in place. `extended_seq` is the publisher's
  // unwrapped sequence number of it; `keyframe` whether it starts a key frame.
  ForwardResult forward(rtp::Packet& packet, std::int64_t extended_seq, bool keyframe,
                        time::Timestamp now) noexcept;
  // Keeps the protected-to-be copy for NACKs (call after forward() succeeded, before SRTP).
  void remember(std::span<const std::uint8_t> packet, time::Timestamp now) noexcept {
    if (retransmit_.store(packet, now.time_since_epoch())) {
      resent_[slot_of(static_cast<std::uint16_t>((packet[2] << 8) | packet[3]))].seq = -1;
    }
  }
  // A stored packet for a NACKed sequence number, or nullopt.
  std::optional<std::span<const std::uint8_t>> stored(std::uint16_t seq,
                                                      time::Timestamp now) const noexcept {
    return retransmit_.get(seq, now.time_since_epoch());
  }

  // Whether the stored packet `seq` was resent less than `interval` before `now` (a NACK
  // repeated within the subscriber's round trip asks for a copy already on its way).
  bool resent_within(std::uint16_t seq, time::Timestamp now,
                     time::Duration interval) const noexcept {
    const ResendMark& mark = resent_[slot_of(seq)];
    return mark.seq == seq && now - mark.at < interval;
  }
  void mark_resent(std::uint16_t seq, time::Timestamp now) noexcept {
    resent_[slot_of(seq)] = ResendMark{seq, now};
  }

  bool started() const noexcept { return started_; }
  // Outgoing timestamp for a publisher timestamp (sender reports).
  std::uint32_t map_timestamp(std::uint32_t publisher_timestamp) const noexcept {
    return publisher_timestamp + ts_offset_;
  }
  std::uint32_t packets_sent() const noexcept { return packets_; }
  std::uint32_t octets_sent() const noexcept { return octets_; }

 private:
  static rtp::RetransmitBuffer ring_for(const Subscription& subscription,
                                        const DownTrackOptions& options);

  // When a stored packet was last resent: one mark per ring slot, cleared when the slot is
  // stored again.
  struct ResendMark {
    std::int32_t seq = -1;
    time::Timestamp at{};
  };
  std::size_t slot_of(std::uint16_t seq) const noexcept { return seq % resent_.size(); }

  Subscription sub_;
  DownTrackOptions options_;
  rtp::RetransmitBuffer retransmit_;
  std::vector<ResendMark> resent_;  // retransmit_.capacity() marks
  bool started_ = false;            // something was forwarded
  bool resync_ = true;              // re-base on the next forwarded packet
  bool waiting_keyframe_;
  time::Timestamp waiting_since_{};
  std::int64_t seq_offset_ = 0;   // out extended = in extended + offset
  std::int64_t resync_base_ = 0;  // publisher extended seq of the first packet after resync
  std::uint32_t ts_offset_ = 0;
  std::int64_t last_out_seq_ = 0;  // extended
  std::uint32_t last_out_ts_ = 0;
  time::Timestamp last_out_time_{};
  std::uint32_t packets_ = 0;
  std::uint32_t octets_ = 0;
};

}  // namespace rrtc::room
