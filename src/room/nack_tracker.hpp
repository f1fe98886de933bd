#pragma once
// Which packets of one received stream are missing, and when to ask for them again (RFC 4585
// generic NACK, sent upstream to the publisher).
//
// A gap in the extended sequence numbers records every missing number (at most `max_missing`,
// the newest kept). collect() hands out the numbers due: at once the first time, then every
// `retry_interval`, at most `max_tries` times, and never for a packet missing longer than
// `max_age` (it would arrive too late to play). A packet that arrives is taken off the list.
//
// Pure: time is a parameter. Storage is reserved at construction; nothing allocates later.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace rrtc::room {

struct NackOptions {
  std::size_t max_missing = 256;
  std::chrono::microseconds retry_interval{std::chrono::milliseconds(40)};
  unsigned max_tries = 5;
  std::chrono::microseconds max_age{std::chrono::milliseconds(1000)};
  // A jump forward larger than this is a stream reset, not loss: nothing is recorded.
  std::int64_t max_gap = 3000;
};

class NackTracker {
 public:
  explicit NackTracker(NackOptions options = {});

  // One received packet. Returns true when it was on the missing list (a recovery).
  bool on_packet(std::int64_t extended_seq, std::chrono::microseconds now) noexcept;
  // Writes the sequence numbers due at `now` into `out` (as many as fit, oldest first) and
  // counts a try for each. Returns how many were written.
  std::size_t collect(std::chrono::microseconds now, std::span<std::uint16_t> out) noexcept;
  std::size_t missing() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::int64_t seq = 0;
    std::chrono::microseconds first_missed{0};
    std::chrono::microseconds last_sent{0};
    unsigned tries = 0;
  };
  void expire(std::chrono::microseconds now) noexcept;

  NackOptions options_;
  std::vector<Entry> entries_;  // ascending seq
  std::optional<std::int64_t> highest_;
};

}  // namespace rrtc::room
