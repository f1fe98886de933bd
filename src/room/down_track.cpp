#include "room/down_track.hpp"

#include <utility>

namespace rrtc::room {

DownTrack::DownTrack(Subscription subscription, const DownTrackOptions& options,
                     time::Timestamp now)
    : sub_(std::move(subscription)),
      options_(options),
      retransmit_(ring_for(sub_, options)),
      resent_(retransmit_.capacity()),
      waiting_keyframe_(sub_.video),
      waiting_since_(now) {}

rtp::RetransmitBuffer DownTrack::ring_for(const Subscription& subscription,
                                          const DownTrackOptions& options) {
  // Without NACK nothing is ever looked up: one empty slot instead of the full ring.
  const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(options.retransmit_age);
  return subscription.nack ? rtp::RetransmitBuffer(options.retransmit_packets, age)
                           : rtp::RetransmitBuffer(1, age, 0);
}

void DownTrack::update(const Subscription& subscription) {
  sub_.payload_types = subscription.payload_types;
  sub_.extension_ids = subscription.extension_ids;
  if (subscription.nack != sub_.nack) {
    sub_.nack = subscription.nack;
    retransmit_ = ring_for(sub_, options_);
    resent_.assign(retransmit_.capacity(), ResendMark{});
  }
}

void DownTrack::resync(time::Timestamp now) noexcept {
  resync_ = true;
  if (sub_.video) {
    waiting_keyframe_ = true;
    waiting_since_ = now;
  }
}

ForwardResult DownTrack::forward(rtp::Packet& packet, std::int64_t extended_seq, bool keyframe,
                                 time::Timestamp now) noexcept {
  const std::uint8_t payload_type = sub_.payload_types[packet.payload_type() & 0x7f];
  if (payload_type == kNoPayloadType) return ForwardResult::unmapped;
  if (waiting_keyframe_) {
    if (!keyframe && now - waiting_since_ < options_.keyframe_wait_limit) {
      return ForwardResult::waiting_keyframe;
    }
    waiting_keyframe_ = false;
  }
  if (resync_) {
    resync_ = false;
    resync_base_ = extended_seq;
    if (started_) {
      seq_offset_ = last_out_seq_ + 1 - extended_seq;
      const auto elapsed = now - last_out_time_;
      const auto ticks = elapsed.count() * static_cast<std::int64_t>(sub_.clock_rate) / 1'000'000;
      const auto advance = static_cast<std::uint32_t>(ticks > 0 ? ticks : 1);
      ts_offset_ = last_out_ts_ + advance - packet.timestamp();
    } else {
      seq_offset_ = 0;
      ts_offset_ = 0;
    }
  } else if (extended_seq < resync_base_) {
    return ForwardResult::stale;
  }
  if (packet.has_extension_block() && !packet.rewrite_extension_ids(sub_.extension_ids)) {
    return ForwardResult::rewrite_failed;
  }
  packet.set_payload_type(payload_type);
  packet.set_ssrc(sub_.ssrc);
  const std::int64_t out_seq = extended_seq + seq_offset_;
  const std::uint32_t out_ts = packet.timestamp() + ts_offset_;
  packet.set_sequence_number(static_cast<std::uint16_t>(out_seq));
  packet.set_timestamp(out_ts);
  if (!started_ || out_seq > last_out_seq_) {
    last_out_seq_ = out_seq;
    last_out_ts_ = out_ts;
    last_out_time_ = now;
  }
  started_ = true;
  ++packets_;
  octets_ += static_cast<std::uint32_t>(packet.payload().size());
  return ForwardResult::forwarded;
}

}  // namespace rrtc::room
