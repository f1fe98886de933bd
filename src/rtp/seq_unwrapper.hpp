// Extends wrapping wire counters (16-bit sequence numbers, 32-bit timestamps) to 64 bits.
//
// Each new value is placed at the distance from the previous one that is shortest modulo
// 2^bits, so reordering within half the range is understood and wrap-arounds keep counting
// up. The first value is returned as is. Values may go below zero when early packets arrive
// late; logic compares the 64-bit values and never the wire ones.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

namespace rrtc::rtp {

template <typename Wire>
class Unwrapper {
  static_assert(std::is_unsigned_v<Wire> && sizeof(Wire) < sizeof(std::int64_t));

 public:
  std::int64_t unwrap(Wire value) noexcept {
    if (!last_) {
      last_ = value;
      return *last_;
    }
    last_ = *last_ + delta(static_cast<Wire>(*last_), value);
    return *last_;
  }
  // The 64-bit value `value` would get, without remembering it.
  std::int64_t peek(Wire value) const noexcept {
    return last_ ? *last_ + delta(static_cast<Wire>(*last_), value) : std::int64_t{value};
  }
  std::optional<std::int64_t> last() const noexcept { return last_; }

 private:
  static std::int64_t delta(Wire from, Wire to) noexcept {
    constexpr std::int64_t kRange = std::int64_t{std::numeric_limits<Wire>::max()} + 1;
    std::int64_t d = static_cast<std::int64_t>(static_cast<Wire>(to - from));
    // Forward by exactly half the range is taken as forward, like libwebrtc.
    if (d > kRange / 2) d -= kRange;
    return d;
  }
  std::optional<std::int64_t> last_;
};

using SeqUnwrapper = Unwrapper<std::uint16_t>;
using TimestampUnwrapper = Unwrapper<std::uint32_t>;

}  // namespace rrtc::rtp
