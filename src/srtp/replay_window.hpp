#pragma once
// Replay protection for SRTP (RFC 3711 section 3.3.2) and SRTCP, with libsrtp2's acceptance
// rule: an index is fresh when it is above the highest one committed, or at most Bits - 1 below
// it and not yet committed. The bitmap is a ring indexed by `index % Bits`, so advancing the
// highest index clears only the bits that leave the window instead of shifting all of them.
//
// check() never changes state; commit() is called only once the packet has authenticated.

#include <array>
#include <cstddef>
#include <cstdint>

namespace rrtc::srtp::detail {

enum class ReplayVerdict { Fresh, Seen, TooOld };

template <std::size_t Bits>
class ReplayWindow {
  static_assert(Bits % 64 == 0 && (Bits & (Bits - 1)) == 0, "a power of two of whole words");

 public:
  ReplayVerdict check(std::uint64_t index) const noexcept {
    if (index > highest_) return ReplayVerdict::Fresh;
    if (highest_ - index >= Bits) return ReplayVerdict::TooOld;
    return test(index) ? ReplayVerdict::Seen : ReplayVerdict::Fresh;
  }

  void commit(std::uint64_t index) noexcept {
    if (index > highest_) {
      clear_after_highest(index - highest_);
      highest_ = index;
    }
    const std::size_t bit = index % Bits;
    words_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }

  std::uint64_t highest() const noexcept { return highest_; }

 private:
  bool test(std::uint64_t index) const noexcept {
    const std::size_t bit = index % Bits;
    return (words_[bit / 64] >> (bit % 64)) & 1U;
  }

  // Clears the ring positions of highest_+1 .. highest_+advance, a word at a time.
  void clear_after_highest(std::uint64_t advance) noexcept {
    if (advance >= Bits) {
      words_.fill(0);
      return;
    }
    std::size_t bit = (highest_ + 1) % Bits;
    auto left = static_cast<std::size_t>(advance);
    while (left > 0) {
      const std::size_t offset = bit % 64;
      const std::size_t run = left < 64 - offset ? left : 64 - offset;
      const std::uint64_t mask =
          run == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << run) - 1) << offset;
      words_[bit / 64] &= ~mask;
      left -= run;
      bit = (bit + run) % Bits;
    }
  }

  std::uint64_t highest_ = 0;  // as libsrtp2: a new stream starts at index 0, nothing seen
  std::array<std::uint64_t, Bits / 64> words_{};
};

}  // namespace rrtc::srtp::detail
