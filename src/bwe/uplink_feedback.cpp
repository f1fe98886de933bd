#include "bwe/uplink_feedback.hpp"

#include <algorithm>
#include <bit>

namespace rrtc::bwe {
namespace {

constexpr std::int64_t kTickUs = rtcp::TransportCc::kTick.count();
constexpr std::int64_t kReferenceUs = rtcp::TransportCc::kReferenceUnit.count();

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// The first number heard is placed this far above 0, so numbers reordered before it stay
// positive after unwrapping.
constexpr std::int64_t kFirstOffset = std::int64_t{1} << 16;

}  // namespace

UplinkFeedback::UplinkFeedback(const UplinkFeedbackConfig& config) : config_(config) {
  // A window wider than half the 16-bit space could not be unwrapped, nor fit one message.
  const std::size_t capacity = std::clamp<std::size_t>(config.capacity, 16, 32768);
  ring_.resize(std::bit_ceil(capacity));
  mask_ = ring_.size() - 1;
  config_.capacity = ring_.size();
  config_.max_received = std::max<std::size_t>(config.max_received, 1);
  arrivals_.reserve(config_.max_received + 1);  // + the anchor
}

bool UplinkFeedback::received(std::int64_t seq) const noexcept {
  return seq >= 0 && ring_[static_cast<std::size_t>(seq) & mask_].seq == seq;
}

void UplinkFeedback::on_packet(std::uint16_t wire_seq, time::Timestamp now) noexcept {
  std::int64_t seq = 0;
  if (highest_ < 0) {
    seq = kFirstOffset + wire_seq;
    highest_ = seq;
    next_ = seq;
  } else {
    const auto delta = static_cast<std::int16_t>(
        static_cast<std::uint16_t>(wire_seq - static_cast<std::uint16_t>(highest_)));
    seq = highest_ + delta;
  }
  const auto capacity = static_cast<std::int64_t>(config_.capacity);
  if (seq < 0 || seq <= highest_ - capacity) {
    ++stats_.too_old;
    return;
  }
  Slot& slot = ring_[static_cast<std::size_t>(seq) & mask_];
  if (slot.seq == seq) {
    ++stats_.duplicates;
    return;
  }
  slot = Slot{seq, now.time_since_epoch().count()};
  ++stats_.packets;
  if (seq > highest_) {
    highest_ = seq;
    next_ = std::max(next_, highest_ - capacity + 1);  // forget what fell out of the ring
  }
  if (seq < next_) {
    ++stats_.late;
    next_ = seq;
    backlog_ = false;
  }
  if (!pending_since_) pending_since_ = now;
}

std::optional<time::Timestamp> UplinkFeedback::next_timeout() const noexcept {
  if (!pending_since_) return std::nullopt;
  if (!last_sent_) return *pending_since_;
  if (backlog_) return *last_sent_;
  return std::max(*pending_since_, *last_sent_ + config_.interval);
}

bool UplinkFeedback::collect(std::optional<std::int64_t> anchor) noexcept {
  arrivals_.clear();
  std::int64_t previous_ticks = 0;
  const auto add = [&](std::int64_t seq) {
    const std::int64_t at = ring_[static_cast<std::size_t>(seq) & mask_].arrival_us;
    // The builder rounds each arrival to the tick grid and encodes differences of whole ticks
    // (the first from the reference time): a difference beyond a signed 16-bit delta ends the
    // message before this packet.
    const std::int64_t ticks = floor_div(at + kTickUs / 2, kTickUs);
    const std::int64_t delta = arrivals_.empty()
                                   ? ticks - floor_div(at, kReferenceUs) * (kReferenceUs / kTickUs)
                                   : ticks - previous_ticks;
    if (delta < -32768 || delta > 32767) return false;
    arrivals_.push_back({seq, std::chrono::microseconds(at)});
    previous_ticks = ticks;
    return true;
  };
  if (anchor) add(*anchor);
  for (std::int64_t seq = next_; seq <= highest_; ++seq) {
    if (!received(seq)) continue;
    if (arrivals_.size() >= config_.max_received + (anchor ? 1 : 0) || !add(seq)) break;
  }
  return !arrivals_.empty();
}

std::size_t UplinkFeedback::write_feedback(time::Timestamp now, std::uint32_t sender_ssrc,
                                           std::uint32_t media_ssrc,
                                           std::span<std::uint8_t> out) noexcept {
  const auto due = next_timeout();
  if (!due || now < *due) return 0;
  // A gap right after the previous message: start at the last packet it reported, so the
  // numbers in between are reported lost (a message starts with a received packet).
  std::optional<std::int64_t> anchor;
  if (last_reported_ && *last_reported_ < next_ && !received(next_) && received(*last_reported_)) {
    anchor = last_reported_;
  }
  collect(anchor);
  if (anchor && arrivals_.size() < 2) collect(std::nullopt);  // the anchor is too old to pair
  if (arrivals_.empty()) {  // nothing received in the window (all forgotten)
    next_ = highest_ + 1;
    pending_since_.reset();
    backlog_ = false;
    return 0;
  }
  std::size_t count = arrivals_.size();
  std::size_t written = 0;
  while (written == 0 && count > 0) {
    const rtcp::TransportCc cc(sender_ssrc, media_ssrc, fb_count_,
                               std::span<const rtcp::PacketArrival>(arrivals_.data(), count));
    const std::size_t size = cc.serialized_size();
    if (size != 0 && size <= out.size()) {
      written = cc.write_to(out);
    } else {
      count /= 2;  // cannot happen with the defaults; keep a bounded way out anyway
    }
  }
  if (written == 0) return 0;
  ++fb_count_;
  ++stats_.messages;
  last_reported_ = arrivals_[count - 1].seq;
  next_ = *last_reported_ + 1;
  last_sent_ = now;
  backlog_ = next_ <= highest_;
  if (!backlog_) pending_since_.reset();
  return written;
}

}  // namespace rrtc::bwe
