#include "room/received_window.hpp"

namespace rrtc::room {

namespace {

// Unsigned: a number before the stream's first (negative once unwrapped) keeps its place, as
// 2^64 is a multiple of the window.
std::size_t word_of(std::int64_t seq) noexcept {
  return static_cast<std::size_t>((static_cast<std::uint64_t>(seq) % ReceivedWindow::kWindow) / 64);
}
std::uint64_t bit_of(std::int64_t seq) noexcept {
  return std::uint64_t{1} << (static_cast<std::uint64_t>(seq) % 64);
}

}  // namespace

bool ReceivedWindow::test_and_set(std::int64_t seq) noexcept {
  std::uint64_t& word = bits_[word_of(seq)];
  const bool was = (word & bit_of(seq)) != 0;
  word |= bit_of(seq);
  return was;
}

void ReceivedWindow::clear(std::int64_t seq) noexcept { bits_[word_of(seq)] &= ~bit_of(seq); }

bool ReceivedWindow::first_arrival(std::int64_t seq) noexcept {
  if (!highest_ || seq - *highest_ >= kWindow) {
    // The first packet, or a jump past the whole window: nothing in it was seen.
    bits_.fill(0);
  } else if (seq > *highest_) {
    // The numbers between the old highest and this one have not arrived (yet).
    for (std::int64_t s = *highest_ + 1; s < seq; ++s) clear(s);
  } else {
    if (*highest_ - seq >= kWindow) return true;  // not judged (see the header)
    return !test_and_set(seq);
  }
  test_and_set(seq);
  highest_ = seq;
  return true;
}

}  // namespace rrtc::room
