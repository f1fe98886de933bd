#include "rtp/retransmit_buffer.hpp"

#include <algorithm>

#include "rtp/byte_io.hpp"

namespace rrtc::rtp {

RetransmitBuffer::RetransmitBuffer(std::size_t capacity, std::chrono::milliseconds max_age,
                                   std::size_t max_packet_size)
    : max_age_(max_age),
      max_packet_size_(std::min<std::size_t>(max_packet_size, 0xFFFF)),
      slots_(std::max<std::size_t>(capacity, 1)),
      storage_(slots_.size() * max_packet_size_) {}

std::size_t RetransmitBuffer::index_of(std::int64_t ext_seq) const noexcept {
  // ext_seq may be negative when early packets arrive before the first one stored.
  const auto n = static_cast<std::int64_t>(slots_.size());
  return static_cast<std::size_t>(((ext_seq % n) + n) % n);
}

std::span<const std::uint8_t> RetransmitBuffer::data_of(std::size_t index,
                                                        std::size_t length) const noexcept {
  return std::span<const std::uint8_t>(storage_).subspan(index * max_packet_size_, length);
}

bool RetransmitBuffer::store(std::span<const std::uint8_t> packet,
                             std::chrono::microseconds now) noexcept {
  if (packet.size() < 12 || packet.size() > max_packet_size_) return false;
  const std::uint16_t seq = load_be16(&packet[2]);
  const std::int64_t ext = unwrapper_.peek(seq);
  const auto capacity = static_cast<std::int64_t>(slots_.size());
  // Too old for the ring: its slot now belongs to a newer packet.
  if (newest_ && ext <= *newest_ - capacity) return false;
  unwrapper_.unwrap(seq);
  newest_ = newest_ ? std::max(*newest_, ext) : ext;
  const std::size_t index = index_of(ext);
  Slot& slot = slots_[index];
  slot.ext_seq = ext;
  slot.length = static_cast<std::uint16_t>(packet.size());
  slot.stored_at = now;
  const auto offset = static_cast<std::ptrdiff_t>(index * max_packet_size_);
  std::copy(packet.begin(), packet.end(), storage_.begin() + offset);
  return true;
}

std::optional<std::span<const std::uint8_t>> RetransmitBuffer::get(
    std::uint16_t seq, std::chrono::microseconds now) const noexcept {
  if (!newest_) return std::nullopt;
  const std::int64_t ext = unwrapper_.peek(seq);
  const Slot& slot = slots_[index_of(ext)];
  if (slot.ext_seq != ext || now - slot.stored_at > max_age_) return std::nullopt;
  return data_of(index_of(ext), slot.length);
}

std::size_t RetransmitBuffer::size(std::chrono::microseconds now) const noexcept {
  return static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [&](const Slot& s) {
    return s.ext_seq != kEmpty && now - s.stored_at <= max_age_;
  }));
}

}  // namespace rrtc::rtp
