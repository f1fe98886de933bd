#include "room/packet_store.hpp"

#include <algorithm>

namespace rrtc::room {

void PacketStore::allocate(std::size_t capacity, time::Duration max_age) {
  if (allocated()) return;
  max_age_ = max_age;
  slots_.resize(std::max<std::size_t>(capacity, 1));
  bytes_.resize(slots_.size() * kSlotBytes);
}

bool PacketStore::store(std::int64_t ext_seq, std::span<const std::uint8_t> packet,
                        time::Timestamp now) noexcept {
  if (slots_.empty() || packet.size() > kSlotBytes) return false;
  // Too old for the ring: its slot now belongs to a newer packet.
  if (newest_ != kEmpty && ext_seq <= newest_ - static_cast<std::int64_t>(slots_.size())) {
    return false;
  }
  newest_ = std::max(newest_, ext_seq);
  const std::size_t index = index_of(ext_seq);
  Slot& slot = slots_[index];
  slot.ext_seq = ext_seq;
  slot.length = static_cast<std::uint16_t>(packet.size());
  slot.stored_at = now;
  std::copy(packet.begin(), packet.end(),
            bytes_.begin() + static_cast<std::ptrdiff_t>(index * kSlotBytes));
  return true;
}

std::optional<std::span<const std::uint8_t>> PacketStore::get(std::int64_t ext_seq,
                                                               time::Timestamp now) const noexcept {
  if (slots_.empty()) return std::nullopt;
  const std::size_t index = index_of(ext_seq);
  const Slot& slot = slots_[index];
  if (slot.ext_seq != ext_seq || now - slot.stored_at > max_age_) return std::nullopt;
  return std::span<const std::uint8_t>(bytes_).subspan(index * kSlotBytes, slot.length);
}

}  // namespace rrtc::room
