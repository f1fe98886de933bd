#pragma once
// The 48-bit SRTP packet index (ROC || SEQ) a sequence number belongs to, estimated from the
// highest index seen on the stream (RFC 3711 section 3.3.1 and Appendix A).
//
// Exactly libsrtp2's rule, so both ends agree at the edges: while the highest index is at most
// 2^15 the ROC is taken as 0 (Appendix A would guess ROC - 1 = -1 for a sequence number far
// above it), otherwise the guess is the ROC of the highest index, one less, or one more,
// whichever puts the sequence number within 2^15 of it.

#include <cstdint>

namespace rrtc::srtp::detail {

struct SrtpIndexGuess {
  std::uint64_t index;  // ROC << 16 | SEQ
  std::int64_t delta;   // index - highest: > 0 is ahead of everything seen
};

inline SrtpIndexGuess estimate_srtp_index(std::uint64_t highest, std::uint16_t sequence) noexcept {
  constexpr std::int64_t kMedian = 1 << 15;
  constexpr std::int64_t kSeqRange = 1 << 16;
  if (highest <= static_cast<std::uint64_t>(kMedian)) {
    return {sequence, static_cast<std::int64_t>(sequence) - static_cast<std::int64_t>(highest)};
  }
  const std::uint64_t roc = highest >> 16;
  const auto local_seq = static_cast<std::int64_t>(highest & 0xffff);
  const auto seq = static_cast<std::int64_t>(sequence);
  std::uint64_t guess_roc = roc;
  std::int64_t delta = seq - local_seq;
  if (local_seq < kMedian) {
    if (seq - local_seq > kMedian) {
      guess_roc = roc - 1;
      delta -= kSeqRange;
    }
  } else if (local_seq - kMedian > seq) {
    guess_roc = roc + 1;
    delta += kSeqRange;
  }
  // The ROC is 32 bits: a guess past its end wraps, as libsrtp2's does.
  guess_roc &= 0xffffffffU;
  return {(guess_roc << 16) | sequence, delta};
}

}  // namespace rrtc::srtp::detail
