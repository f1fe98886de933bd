#include "room/down_track.hpp"

#include <algorithm>
#include <utility>

namespace rrtc::room {

DownTrack::DownTrack(Subscription subscription, const DownTrackOptions& options,
                     time::Timestamp now)
    : sub_(std::move(subscription)),
      options_(options),
      sent_(sent_slots(sub_, options)),
      seq_ring_(sub_.video ? kVideoSeqRing : kAudioSeqRing),
      pending_since_set_(true),
      waiting_since_(now) {}

void DownTrack::update(const Subscription& subscription) {
  sub_.payload_types = subscription.payload_types;
  sub_.extension_ids = subscription.extension_ids;
  sub_.track_id = subscription.track_id;
  sub_.type = subscription.type;
  sub_.transport_cc_extension_id = subscription.transport_cc_extension_id;
  sub_.transport_cc = subscription.transport_cc;
  if (subscription.nack != sub_.nack) {
    sub_.nack = subscription.nack;
    sent_.assign(sent_slots(sub_, options_), SentCopy{});
  }
}

void DownTrack::resync(time::Timestamp now) noexcept {
  current_ = -1;
  waiting_since_ = now;
  pending_since_set_ = true;
}

void DownTrack::set_target_layer(int layer) noexcept {
  if (layer < 0) layer = -1;
  if (layer == target_) return;
  target_ = layer;
  pending_since_set_ = false;  // the wait starts at the target's first packet
  if (layer < 0) current_ = -1;
}

void DownTrack::set_max_temporal_layer(int tid) noexcept {
  max_tid_ = tid < 0 || tid > kMaxTid ? kMaxTid : tid;
  if (current_ < 0) cur_tid_ = max_tid_;
}

bool DownTrack::switch_point(const FrameInfo& frame, time::Timestamp now) noexcept {
  if (!sub_.video || frame.keyframe) return true;
  if (current_ >= 0) return false;  // the current layer keeps flowing until the key frame
  if (!pending_since_set_) {
    waiting_since_ = now;
    pending_since_set_ = true;
  }
  return now - waiting_since_ >= options_.keyframe_wait_limit;
}

void DownTrack::rebase(int layer, const rtp::Packet& packet, std::int64_t extended_seq,
                       const FrameInfo& frame, time::Timestamp now) noexcept {
  current_ = layer;
  pending_since_set_ = false;
  resync_base_ = extended_seq;
  highest_in_ = extended_seq - 1;
  cur_tid_ = max_tid_;
  last_forwarded_picture_.reset();
  pictures_.fill(PictureMark{});
  if (started_) {
    seq_delta_ = last_out_seq_ + 1 - extended_seq;
    const auto elapsed = now - last_out_time_;
    const auto ticks = elapsed.count() * static_cast<std::int64_t>(sub_.clock_rate) / 1'000'000;
    const auto advance = static_cast<std::uint32_t>(ticks > 0 ? ticks : 1);
    ts_offset_ = last_out_ts_ + advance - packet.timestamp();
  } else {
    seq_delta_ = 0;
    ts_offset_ = 0;
  }
  // The codec numbering continues from the last packet sent: +1 (the switch point starts a
  // new picture, a new TL0 picture and, being a key frame, a new KEYIDX).
  picture_delta_ = 0;
  tl0_delta_ = 0;
  keyidx_delta_ = 0;
  std::optional<std::uint16_t> picture;
  std::optional<std::uint8_t> tl0;
  std::optional<std::uint8_t> keyidx;
  if (frame.vp8) {
    picture = frame.vp8->picture_id;
    tl0 = frame.vp8->tl0picidx;
    keyidx = frame.vp8->keyidx;
  } else if (frame.vp9) {
    picture = frame.vp9->picture_id;
    tl0 = frame.vp9->tl0picidx;
  }
  if (picture && last_out_picture_) {
    picture_delta_ = static_cast<std::uint16_t>((*last_out_picture_ + 1 - *picture) & kPictureMask);
  }
  if (tl0 && last_out_tl0_) tl0_delta_ = static_cast<std::uint8_t>(*last_out_tl0_ + 1 - *tl0);
  if (keyidx && last_out_keyidx_) {
    keyidx_delta_ = static_cast<std::uint8_t>((*last_out_keyidx_ + 1 - *keyidx) & 0x1f);
  }
}

bool DownTrack::temporal_drop(const FrameInfo& frame) noexcept {
  if (!frame.vp8 || !frame.vp8->tid) return false;
  const rtp::Vp8Descriptor& vp8 = *frame.vp8;
  const int tid = *vp8.tid;
  if (vp8.keyframe) {
    cur_tid_ = max_tid_;
  } else if (vp8.starts_picture()) {
    // Down at once; up one TID at a time, at a picture of that TID that depends only on TL0
    // (Y): its own TID's earlier pictures, which we dropped, are not referenced.
    if (cur_tid_ > max_tid_) {
      cur_tid_ = max_tid_;
    } else if (cur_tid_ < max_tid_ && tid == cur_tid_ + 1 && vp8.layer_sync) {
      cur_tid_ = tid;
    }
  }
  if (tid <= cur_tid_) return false;
  if (vp8.picture_id) drop_picture(*vp8.picture_id);
  return true;
}

void DownTrack::drop_picture(std::uint16_t picture) noexcept {
  PictureMark& mark = pictures_[picture % pictures_.size()];
  if (mark.valid && mark.picture == picture) return;  // counted, or its id was already sent
  mark = PictureMark{picture, true};
  // Later pictures move down by one so the subscriber sees consecutive picture ids.
  picture_delta_ = static_cast<std::uint16_t>((picture_delta_ - 1) & kPictureMask);
}

void DownTrack::forwarded_picture(std::uint16_t picture) noexcept {
  PictureMark& mark = pictures_[picture % pictures_.size()];
  if (!mark.valid || mark.picture != picture) mark = PictureMark{picture, true};
  if (!last_forwarded_picture_ || newer_picture(picture, *last_forwarded_picture_)) {
    last_forwarded_picture_ = picture;
  }
}

void DownTrack::rewrite_vp8(rtp::Packet& packet, const rtp::Vp8Descriptor& vp8,
                            std::uint16_t picture_delta, bool newest) noexcept {
  const auto payload = packet.payload();
  if (payload.size() < vp8.header_size) return;
  if (vp8.picture_id) {
    const auto out = static_cast<std::uint16_t>((*vp8.picture_id + picture_delta) & kPictureMask);
    rtp::write_vp8_picture_id(payload, vp8, out);
    if (newest) last_out_picture_ = out;
  }
  if (vp8.tl0picidx) {
    const auto out = static_cast<std::uint8_t>(*vp8.tl0picidx + tl0_delta_);
    rtp::write_vp8_tl0picidx(payload, vp8, out);
    if (newest) last_out_tl0_ = out;
  }
  if (vp8.keyidx) {
    const auto out = static_cast<std::uint8_t>((*vp8.keyidx + keyidx_delta_) & 0x1f);
    rtp::write_vp8_keyidx(payload, vp8, out);
    if (newest) last_out_keyidx_ = out;
  }
}

void DownTrack::rewrite_vp9(rtp::Packet& packet, const rtp::Vp9Descriptor& vp9,
                            std::uint16_t picture_delta, bool newest) noexcept {
  const auto payload = packet.payload();
  if (payload.size() < vp9.header_size) return;
  if (vp9.picture_id) {
    const auto out = static_cast<std::uint16_t>((*vp9.picture_id + picture_delta) & kPictureMask);
    rtp::write_vp9_picture_id(payload, vp9, out);
    if (newest) last_out_picture_ = out;
  }
  if (vp9.tl0picidx) {
    const auto out = static_cast<std::uint8_t>(*vp9.tl0picidx + tl0_delta_);
    rtp::write_vp9_tl0picidx(payload, vp9, out);
    if (newest) last_out_tl0_ = out;
  }
}

ForwardResult DownTrack::forward(rtp::Packet& packet, int layer, std::int64_t extended_seq,
                                 const FrameInfo& frame, time::Timestamp now) noexcept {
  const std::uint8_t payload_type = sub_.payload_types[packet.payload_type() & 0x7f];
  if (payload_type == kNoPayloadType) return ForwardResult::unmapped;
  if (target_ < 0) return ForwardResult::paused;
  const bool switching = layer != current_;
  if (switching) {
    if (layer != target_) return ForwardResult::other_layer;
    if (!switch_point(frame, now)) {
      return current_ < 0 ? ForwardResult::waiting_keyframe : ForwardResult::other_layer;
    }
  } else if (extended_seq < resync_base_) {
    return ForwardResult::stale;
  }
  if (packet.has_extension_block() && !packet.rewrite_extension_ids(sub_.extension_ids)) {
    return ForwardResult::rewrite_failed;
  }
  if (switching) rebase(layer, packet, extended_seq, frame, now);

  const bool newest = extended_seq > highest_in_;
  std::int64_t seq_delta = seq_delta_;
  std::uint16_t picture_delta = picture_delta_;
  if (newest) {
    // Sequence numbers skipped over (lost or reordered) keep the numbers they would have had.
    const auto ring = static_cast<std::int64_t>(seq_ring_.size());
    for (std::int64_t s = std::max(highest_in_ + 1, extended_seq - ring + 1); s < extended_seq;
         ++s) {
      keep_slot(s, seq_delta_, picture_delta_, cur_tid_);
    }
    // Those numbers are taken even if this packet is dropped: padding and a switch go after.
    if (extended_seq - 1 > highest_in_) {
      last_out_seq_ = std::max(last_out_seq_, extended_seq - 1 + seq_delta_);
    }
    highest_in_ = extended_seq;
    if (temporal_drop(frame)) {
      slot_for(extended_seq) =
          SeqSlot{static_cast<std::uint32_t>(extended_seq), 0, 0, 0, SeqSlot::State::dropped};
      --seq_delta_;
      return ForwardResult::temporal_dropped;
    }
    seq_delta = seq_delta_;
    picture_delta = picture_delta_;
    keep_slot(extended_seq, seq_delta, picture_delta, cur_tid_);
  } else {
    const SeqSlot& slot = slot_for(extended_seq);
    if (highest_in_ - extended_seq >= static_cast<std::int64_t>(seq_ring_.size()) ||
        slot.state == SeqSlot::State::empty ||
        slot.seq != static_cast<std::uint32_t>(extended_seq)) {
      return ForwardResult::stale;
    }
    // A dropped packet's number went to the next one; a reserved slot of a TID above what was
    // allowed then stays a hole (a NACK for it finds no copy).
    if (slot.state == SeqSlot::State::dropped ||
        (frame.vp8 && frame.vp8->tid && *frame.vp8->tid > slot.max_tid)) {
      // A picture first seen now, late, whose id nothing newer has used yet: the pictures
      // after it can still move down.
      const auto picture = frame.vp8 ? frame.vp8->picture_id : std::nullopt;
      if (picture && last_forwarded_picture_ && newer_picture(*picture, *last_forwarded_picture_)) {
        drop_picture(*picture);
      }
      return ForwardResult::temporal_dropped;
    }
    seq_delta = delta_of(slot);
    picture_delta = slot.picture_delta;
  }

  const std::int64_t out_seq = extended_seq + seq_delta;
  // The subscriber's newest packet (a late one may fill a number above the newest sent).
  const bool last = !started_ || out_seq > last_sent_seq_;
  if (frame.vp8) {
    if (frame.vp8->picture_id) forwarded_picture(*frame.vp8->picture_id);
    rewrite_vp8(packet, *frame.vp8, picture_delta, last);
  } else if (frame.vp9) {
    rewrite_vp9(packet, *frame.vp9, picture_delta, last);
  }
  packet.set_payload_type(payload_type);
  packet.set_ssrc(sub_.ssrc);
  const std::uint32_t out_ts = packet.timestamp() + ts_offset_;
  packet.set_sequence_number(static_cast<std::uint16_t>(out_seq));
  packet.set_timestamp(out_ts);
  if (last) {
    last_out_seq_ = std::max(last_out_seq_, out_seq);
    last_sent_seq_ = out_seq;
    last_out_ts_ = out_ts;
    last_out_time_ = now;
    last_out_payload_type_ = payload_type;
    last_out_marker_ = packet.marker();
  }
  started_ = true;
  ++packets_;
  octets_ += static_cast<std::uint32_t>(packet.payload().size());
  record_sent(out_seq, layer, extended_seq, picture_delta, payload_type);
  return ForwardResult::forwarded;
}

void DownTrack::record_sent(std::int64_t out_seq, int layer, std::int64_t in_seq,
                            std::uint16_t picture_delta, std::uint8_t payload_type) noexcept {
  if (sent_.empty()) return;
  // Indexed by the 16-bit number a NACK names.
  SentCopy& copy = sent_[static_cast<std::uint16_t>(out_seq) % sent_.size()];
  copy.out_seq = static_cast<std::uint32_t>(out_seq);
  copy.in_seq = in_seq;
  copy.ts_offset = ts_offset_;
  copy.picture_delta = picture_delta;
  copy.tl0_delta = tl0_delta_;
  copy.keyidx_delta = keyidx_delta_;
  copy.payload_type = payload_type;
  copy.layer = static_cast<std::int8_t>(layer);
  copy.resent = false;
  copy.kept = true;
}

const DownTrack::SentCopy* DownTrack::sent(std::uint16_t seq) const noexcept {
  if (sent_.empty()) return nullptr;
  const SentCopy& copy = sent_[seq % sent_.size()];
  // The same low 16 bits and not a wrap-around ago (the map holds far fewer than 2^15).
  if (!copy.kept || static_cast<std::uint16_t>(copy.out_seq) != seq ||
      static_cast<std::uint32_t>(last_out_seq_) - copy.out_seq >= 0x8000) {
    return nullptr;
  }
  return &copy;
}

bool DownTrack::rewrite_resend(rtp::Packet& packet, const SentCopy& copy,
                               const FrameInfo& frame) const noexcept {
  if (packet.has_extension_block() && !packet.rewrite_extension_ids(sub_.extension_ids)) {
    return false;
  }
  const auto& vp8 = frame.vp8;
  const auto& vp9 = frame.vp9;
  if (vp9 && packet.payload().size() >= vp9->header_size) {
    const auto payload = packet.payload();
    if (vp9->picture_id) {
      rtp::write_vp9_picture_id(
          payload, *vp9,
          static_cast<std::uint16_t>((*vp9->picture_id + copy.picture_delta) & kPictureMask));
    }
    if (vp9->tl0picidx) {
      rtp::write_vp9_tl0picidx(payload, *vp9,
                               static_cast<std::uint8_t>(*vp9->tl0picidx + copy.tl0_delta));
    }
  }
  if (vp8 && packet.payload().size() >= vp8->header_size) {
    const auto payload = packet.payload();
    if (vp8->picture_id) {
      rtp::write_vp8_picture_id(
          payload, *vp8,
          static_cast<std::uint16_t>((*vp8->picture_id + copy.picture_delta) & kPictureMask));
    }
    if (vp8->tl0picidx) {
      rtp::write_vp8_tl0picidx(payload, *vp8,
                               static_cast<std::uint8_t>(*vp8->tl0picidx + copy.tl0_delta));
    }
    if (vp8->keyidx) {
      rtp::write_vp8_keyidx(payload, *vp8,
                            static_cast<std::uint8_t>((*vp8->keyidx + copy.keyidx_delta) & 0x1f));
    }
  }
  packet.set_payload_type(copy.payload_type);
  packet.set_ssrc(sub_.ssrc);
  packet.set_sequence_number(static_cast<std::uint16_t>(copy.out_seq));
  packet.set_timestamp(packet.timestamp() + copy.ts_offset);
  return true;
}

std::optional<DownTrack::PaddingSlot> DownTrack::padding_slot(time::Timestamp now) noexcept {
  (void)now;
  // Not after a number kept for a packet still missing: it may be inside a frame.
  if (!started_ || !sub_.video || !last_out_marker_ || last_out_seq_ != last_sent_seq_) {
    return std::nullopt;
  }
  ++last_out_seq_;
  last_sent_seq_ = last_out_seq_;
  ++seq_delta_;  // new packets of the current layer come after the padding
  ++packets_;
  return PaddingSlot{static_cast<std::uint16_t>(last_out_seq_), last_out_ts_,
                     last_out_payload_type_};
}

}  // namespace rrtc::room
