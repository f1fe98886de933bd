#pragma once
// The publisher's copy of recent packets of one RTP stream (a track, or one simulcast layer),
// kept once for all its subscribers: a NACK from any of them is answered by rewriting this copy
// for that subscriber (DownTrack::rewrite_resend), so a subscription costs a small map of what
// it was sent (DownTrack), not a ring of packets of its own.
//
// A fixed ring of `capacity` slots of `kSlotBytes`, allocated once (the Router allocates it when
// the first subscriber that negotiated NACK is linked to the stream); store() copies into the
// slot of the packet's extended sequence number (the Router's unwrapping of the publisher's
// numbers) and never allocates. A packet is found while its slot was not overwritten by a newer
// number and it is not older than `max_age`. Time is a parameter; one thread.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::room {

class PacketStore {
 public:
  static constexpr std::size_t kSlotBytes = 1500;

  // Empty: stores nothing until allocate().
  PacketStore() = default;
  // Allocates `capacity` slots (at least one) once; later calls keep the ring as it is.
  void allocate(std::size_t capacity, time::Duration max_age);
  bool allocated() const noexcept { return !slots_.empty(); }

  // Keeps a copy of `packet` (the publisher's plain RTP packet, RTX unwrapped) under `ext_seq`.
  // False when not allocated, the packet does not fit a slot, or `ext_seq` is older than
  // everything the ring still holds.
  bool store(std::int64_t ext_seq, std::span<const std::uint8_t> packet,
             time::Timestamp now) noexcept;
  // The copy of `ext_seq`, or nullopt: never stored, overwritten (evicted), or older than
  // max_age at `now`. Valid until the next store().
  std::optional<std::span<const std::uint8_t>> get(std::int64_t ext_seq,
                                                   time::Timestamp now) const noexcept;

  std::size_t capacity() const noexcept { return slots_.size(); }

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  struct Slot {
    std::int64_t ext_seq = kEmpty;
    std::uint16_t length = 0;
    time::Timestamp stored_at{};
  };
  std::size_t index_of(std::int64_t ext_seq) const noexcept {
    const auto n = static_cast<std::int64_t>(slots_.size());
    return static_cast<std::size_t>(((ext_seq % n) + n) % n);
  }

  time::Duration max_age_{};
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> bytes_;  // slots_.size() * kSlotBytes
  std::int64_t newest_ = kEmpty;
};

}  // namespace rrtc::room
