#pragma once
// Inter-arrival grouping (draft-ietf-rmcat-gcc-02 section 5.1 and 5.2): packets sent within
// one burst (5 ms of send time) form a group; the delay gradient is measured between the last
// packets of consecutive groups, which takes the pacer's and the encoder's bursts out of the
// signal. A packet that arrives within 5 ms of the group's last one while its arrival gap is
// shorter than its send gap (it caught up in a queue) joins the group too: that is a burst the
// network released at once, not a change of queuing delay.
//
// Packets are fed in send order, once each; one sent before the current group began is
// ignored (feedback for it came late). A group that arrived before the one sent ahead of it
// (reordered on the path) restarts the grouping: its delta would be a false delay drop. Time: send
// times are ours (time::Timestamp); arrival times are the receiver's clock with an arbitrary origin
// (time::Duration), only their differences matter.

#include <cstdint>
#include <optional>

#include "time/media_time.hpp"

namespace rrtc::bwe {

// The differences between two consecutive complete groups.
struct GroupDelta {
  time::Duration send_delta{0};     // between their last packets' send times
  time::Duration arrival_delta{0};  // between their last packets' arrival times
  std::int64_t size_delta = 0;      // bytes of the newer group minus bytes of the older
  time::Duration arrival{0};        // arrival time of the newer group (receiver's clock)
};

class InterArrival {
 public:
  static constexpr time::Duration kBurstTime{5000};
  // An arrival gap this much larger than the send gap, or any negative arrival gap, means the
  // receiver's clock jumped or the path changed: the grouping starts over.
  static constexpr time::Duration kMaxArrivalJump{3'000'000};

  // The delta between the group this packet closes and the one before, if it closes one.
  std::optional<GroupDelta> add(time::Timestamp send_time, time::Duration arrival,
                                std::int64_t size) noexcept;

  void reset() noexcept { *this = InterArrival(); }

 private:
  struct Group {
    time::Timestamp first_send{};
    time::Timestamp last_send{};
    time::Duration first_arrival{0};
    time::Duration last_arrival{0};
    std::int64_t size = 0;
    bool valid = false;
  };
  bool joins_current(time::Timestamp send_time, time::Duration arrival) const noexcept;

  Group current_;
  Group previous_;
};

}  // namespace rrtc::bwe
