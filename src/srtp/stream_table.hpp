#pragma once
// Per-SSRC SRTP stream state of one session, found in O(1): an open-addressing index (linear
// probing, no deletion) over a vector of streams. The owner reserves room at creation for
// kReservedStreams, in the table of the direction it uses (the other allocates nothing): a
// PeerConnection sends a handful of SSRCs, and reserving all 256 cost 6 KB per subscriber
// outbound and 8 KB inbound for nothing (issue 18); a ninth SSRC allocates when the vector
// doubles, at most five times in a session's life. The number of SSRCs is bounded so a peer
// cannot make a session grow without limit: once full, find_or_insert() of a new SSRC fails.
//
// Callers insert a stream only after its packet authenticated, so forged packets for unknown
// SSRCs use up neither slots nor memory. Inserting may move streams: pointers from find() are
// valid until the next find_or_insert().

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rrtc::srtp::detail {

constexpr std::size_t kMaxSrtpStreams = 256;  // SSRCs one session tracks
constexpr std::size_t kReservedStreams = 8;   // room a session makes at creation

template <typename Stream>
class SrtpStreamTable {
 public:
  static constexpr std::size_t kSlots = kMaxSrtpStreams * 2;  // load factor at most 1/2

  // Makes room for `streams` up front, and for the index (the table of the direction in use).
  void reserve(std::size_t streams) {
    if (slots_.empty()) slots_.assign(kSlots, kEmpty);
    streams_.reserve(streams);
  }

  Stream* find(std::uint32_t ssrc) noexcept {
    if (slots_.empty()) return nullptr;
    for (std::size_t slot = home(ssrc);; slot = (slot + 1) % kSlots) {
      const std::uint16_t at = slots_[slot];
      if (at == kEmpty) return nullptr;
      if (streams_[at].ssrc == ssrc) return &streams_[at];
    }
  }

  // The stream for `ssrc`, created as Stream{ssrc} if new; null when the table is full.
  Stream* find_or_insert(std::uint32_t ssrc) {
    if (slots_.empty()) reserve(kReservedStreams);
    std::size_t slot = home(ssrc);
    for (;; slot = (slot + 1) % kSlots) {
      const std::uint16_t at = slots_[slot];
      if (at == kEmpty) break;
      if (streams_[at].ssrc == ssrc) return &streams_[at];
    }
    if (streams_.size() >= kMaxSrtpStreams) return nullptr;
    slots_[slot] = static_cast<std::uint16_t>(streams_.size());
    Stream& stream = streams_.emplace_back();
    stream.ssrc = ssrc;
    return &stream;
  }

  bool full() const noexcept { return streams_.size() >= kMaxSrtpStreams; }

 private:
  static constexpr std::uint16_t kEmpty = 0xffff;

  // Fibonacci hashing spreads sequential and random SSRCs alike over the slots.
  static std::size_t home(std::uint32_t ssrc) noexcept {
    return static_cast<std::size_t>((ssrc * 0x9E3779B1U) >> 23);  // top 9 bits: 512 slots
  }

  static_assert(kSlots == 512, "home() takes 9 bits of the hash");

  std::vector<std::uint16_t> slots_;  // kSlots once reserved, else empty
  std::vector<Stream> streams_;
};

}  // namespace rrtc::srtp::detail
