#include "bwe/pacer.hpp"

#include <algorithm>
#include <cstring>
#include <new>

namespace rrtc::bwe {

namespace {

std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

}  // namespace

Pacer::Pacer(PacerConfig config) : config_(config) {}

void Pacer::drop_older_frames(std::span<const std::uint8_t> keyframe) noexcept {
  if (keyframe.size() < 12) return;
  const std::uint32_t timestamp = load32(&keyframe[4]);
  const std::uint32_t ssrc = load32(&keyframe[8]);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& slot = ring_[(head_ + i) % ring_.size()];
    const bool stale = slot.length >= 12 && load32(&slot.bytes[8]) == ssrc &&
                       load32(&slot.bytes[4]) != timestamp;
    if (stale) {
      queued_bytes_ -= static_cast<std::int64_t>(slot.length);
      spare_.push_back(std::move(slot.bytes));
      ++superseded_;
      continue;
    }
    if (kept != i) ring_[(head_ + kept) % ring_.size()] = std::move(slot);
    ++kept;
  }
  count_ = kept;
}

bool Pacer::continues_queued_frame(std::span<const std::uint8_t> packet) const noexcept {
  if (packet.size() < 12 || count_ == 0) return false;
  const std::uint32_t timestamp = load32(&packet[4]);
  const std::uint32_t ssrc = load32(&packet[8]);
  // The newest few waiting packets: another stream's may sit between a frame's packets.
  const std::size_t look = std::min<std::size_t>(count_, 8);
  for (std::size_t back = 1; back <= look; ++back) {
    const Slot& slot = ring_[(head_ + count_ - back) % ring_.size()];
    if (slot.length < 12 || load32(&slot.bytes[8]) != ssrc) continue;
    return load32(&slot.bytes[4]) == timestamp;
  }
  return false;
}

void Pacer::drain(time::Timestamp now) noexcept {
  if (now <= debt_at_) return;
  const std::int64_t drained = rate_.bytes_in(now - debt_at_);
  if (rate_.bps() == 0 || drained >= debt_) {
    debt_ = 0;
    debt_at_ = now;
    return;
  }
  // Whole bytes only: the time of the part of a byte not drained yet is kept, so calls a few
  // microseconds apart (a key frame's packets) still drain at the rate.
  debt_ -= drained;
  debt_at_ += rate_.time_for(drained);
}

void Pacer::set_estimate(DataRate estimate, time::Timestamp now) noexcept {
  drain(now);
  rate_ = estimate.bps() > 0 ? estimate * config_.factor : DataRate();
  if (rate_.bps() == 0) debt_ = 0;
}

Pacer::Verdict Pacer::offer(std::span<const std::uint8_t> packet, Kind kind,
                            time::Timestamp now) noexcept {
  if (rate_.bps() == 0 && count_ == 0) return Verdict::send;
  drain(now);
  const auto size = static_cast<std::int64_t>(packet.size());
  if (kind == Kind::audio || (kind == Kind::padding && count_ == 0)) {
    debt_ += size;
    return Verdict::send;
  }
  if (kind == Kind::padding) return Verdict::dropped;
  if (kind == Kind::keyframe && count_ > 0) drop_older_frames(packet);
  if (count_ == 0 && debt_ <= allowance()) {
    debt_ += size;
    return Verdict::send;
  }
  const bool too_long = rate_.bps() > 0 &&
                        rate_.time_for(queued_bytes_ + size) > config_.max_delay &&
                        !continues_queued_frame(packet);
  if (too_long || packet.size() > config_.slot_bytes || count_ == config_.slots) {
    ++dropped_;
    return Verdict::dropped;
  }
  if (ring_.empty()) {
    try {
      ring_.resize(config_.slots);
      spare_.reserve(config_.slots);
    } catch (const std::bad_alloc&) {
      ring_.clear();
      ++dropped_;
      return Verdict::dropped;
    }
  }
  Slot& slot = ring_[(head_ + count_) % ring_.size()];
  if (!spare_.empty()) {
    slot.bytes = std::move(spare_.back());
    spare_.pop_back();
  } else {
    slot.bytes.reset(new (std::nothrow) std::uint8_t[config_.slot_bytes]);
    if (!slot.bytes) {
      ++dropped_;
      return Verdict::dropped;
    }
  }
  std::memcpy(slot.bytes.get(), packet.data(), packet.size());
  slot.length = packet.size();
  ++count_;
  ++paced_;
  queued_bytes_ += size;
  return Verdict::queued;
}

std::optional<time::Timestamp> Pacer::next_release() const noexcept {
  if (count_ == 0) return std::nullopt;
  if (rate_.bps() == 0) return debt_at_;
  const std::int64_t over = debt_ - allowance();
  if (over <= 0) return debt_at_;
  return debt_at_ + rate_.time_for(over) + time::Duration(1);
}

std::optional<Pacer::Due> Pacer::due(time::Timestamp now) noexcept {
  if (count_ == 0) return std::nullopt;
  drain(now);
  if (rate_.bps() > 0 && debt_ > allowance()) return std::nullopt;
  Slot& slot = ring_[head_];
  return Due{std::span(slot.bytes.get(), config_.slot_bytes), slot.length};
}

void Pacer::sent(time::Timestamp now) noexcept {
  if (count_ == 0) return;
  drain(now);
  Slot& slot = ring_[head_];
  const auto size = static_cast<std::int64_t>(slot.length);
  if (rate_.bps() > 0) debt_ += size;
  queued_bytes_ -= size;
  spare_.push_back(std::move(slot.bytes));  // reserved for every slot: never allocates
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

}  // namespace rrtc::bwe
