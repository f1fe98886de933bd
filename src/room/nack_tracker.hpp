#pragma once
// Which packets of one received stream are missing, and when to ask for them again (RFC 4585
// generic NACK, sent upstream to the publisher).
//
// A gap in the extended sequence numbers records every missing number (at most `max_missing`,
// the newest kept). collect() hands out the numbers due: at once the first time, then every
// `retry_interval`, at most `max_tries` times, and never for a packet missing longer than
// `max_age` (it would arrive too late to play). A packet that arrives is taken off the list.
// next_due() says when collect() has something to hand out, so the owner keeps a deadline
// instead of asking on every tick.
//
// Pure: time is a parameter. Storage is reserved at construction; nothing allocates later.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "time/media_time.hpp"

namespace rrtc::room {

struct NackOptions {
  std::size_t max_missing = 256;
  time::Duration retry_interval = time::to_duration(std::chrono::milliseconds(40));
  unsigned max_tries = 5;
  time::Duration max_age = time::to_duration(std::chrono::milliseconds(1000));
  // A jump forward larger than this is a stream reset, not loss: nothing is recorded.
  std::int64_t max_gap = 3000;
};

class NackTracker {
 public:
  explicit NackTracker(NackOptions options = {});

  // One received packet. Returns true when it was on the missing list (a recovery).
  bool on_packet(std::int64_t extended_seq, time::Timestamp now) noexcept;
  // Writes the sequence numbers due at `now` into `out` (as many as fit, oldest first) and
  // counts a try for each; a number asked for the `max_tries`th time leaves the list. Returns
  // how many were written: call again while it fills `out`.
  std::size_t collect(time::Timestamp now, std::span<std::uint16_t> out) noexcept;
  // When collect() next has a number to hand out; nullopt when it never will without a new gap.
  // It may be early (a packet that arrived since is not accounted for until collect()), never
  // late.
  std::optional<time::Timestamp> next_due() const noexcept { return next_due_; }
  std::size_t missing() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::int64_t seq = 0;
    time::Timestamp first_missed{};
    time::Timestamp last_sent{};
    unsigned tries = 0;
  };
  bool expired(const Entry& entry, time::Timestamp now) const noexcept;
  void update_next_due() noexcept;

  NackOptions options_;
  std::vector<Entry> entries_;  // ascending seq
  std::optional<std::int64_t> highest_;
  std::optional<time::Timestamp> next_due_;
};

}  // namespace rrtc::room
