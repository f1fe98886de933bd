// Copies of recently sent RTP packets of one outgoing stream, for answering NACKs (RFC 4585).
//
// A fixed ring of `capacity` slots, each `max_packet_size` bytes, allocated once at
// construction: store() copies into the slot of the packet's sequence number and never
// allocates. Entries expire after `max_age`; time is a parameter. Sequence numbers are
// extended to 64 bits internally, so a wrap-around never returns a stale packet. Used from the
// owning worker thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "rtp/seq_unwrapper.hpp"

namespace rrtc::rtp {

class RetransmitBuffer {
 public:
  RetransmitBuffer(std::size_t capacity, std::chrono::milliseconds max_age,
                   std::size_t max_packet_size = 1500);

  // Keeps a copy of `packet` (a serialized RTP packet; its sequence number is read from it).
  // False, storing nothing, when it is shorter than an RTP header or larger than a slot, or
  // when its sequence number is older than everything the ring can still hold.
  bool store(std::span<const std::uint8_t> packet, std::chrono::microseconds now) noexcept;

  // The stored packet with sequence number `seq`, or nullopt when it was never stored, was
  // overwritten, or is older than max_age at `now`. The span is valid until the next store().
  std::optional<std::span<const std::uint8_t>> get(std::uint16_t seq,
                                                   std::chrono::microseconds now) const noexcept;

  std::size_t capacity() const noexcept { return slots_.size(); }
  // Slots holding a packet not older than max_age at `now`.
  std::size_t size(std::chrono::microseconds now) const noexcept;

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  struct Slot {
    std::int64_t ext_seq = kEmpty;
    std::uint16_t length = 0;
    std::chrono::microseconds stored_at{0};
  };
  std::span<const std::uint8_t> data_of(std::size_t index, std::size_t length) const noexcept;
  std::size_t index_of(std::int64_t ext_seq) const noexcept;

  std::chrono::microseconds max_age_;
  std::size_t max_packet_size_;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> storage_;
  SeqUnwrapper unwrapper_;
  std::optional<std::int64_t> newest_;
};

}  // namespace rrtc::rtp
