#include "bwe/inter_arrival.hpp"

namespace rrtc::bwe {

bool InterArrival::joins_current(time::Timestamp send_time, time::Duration arrival) const noexcept {
  if (send_time - current_.first_send <= kBurstTime) return true;
  // A burst released at once by the network: arrived within 5 ms of the previous packet,
  // having gained on it, and the group spans less than 100 ms of arrivals.
  const time::Duration arrival_gap = arrival - current_.last_arrival;
  const time::Duration send_gap = send_time - current_.last_send;
  return arrival_gap >= time::Duration(0) && arrival_gap - send_gap < time::Duration(0) &&
         arrival_gap <= kBurstTime && arrival - current_.first_arrival < time::Duration(100'000);
}

std::optional<GroupDelta> InterArrival::add(time::Timestamp send_time, time::Duration arrival,
                                            std::int64_t size) noexcept {
  if (!current_.valid) {
    current_ = Group{send_time, send_time, arrival, arrival, size, true};
    return std::nullopt;
  }
  if (send_time < current_.first_send) return std::nullopt;  // late feedback: out of order
  if (joins_current(send_time, arrival)) {
    if (send_time > current_.last_send) current_.last_send = send_time;
    if (arrival > current_.last_arrival) current_.last_arrival = arrival;
    current_.size += size;
    return std::nullopt;
  }
  std::optional<GroupDelta> delta;
  if (previous_.valid) {
    GroupDelta d;
    d.send_delta = current_.last_send - previous_.last_send;
    d.arrival_delta = current_.last_arrival - previous_.last_arrival;
    d.size_delta = current_.size - previous_.size;
    d.arrival = current_.last_arrival;
    if (d.arrival_delta < time::Duration(0) || d.arrival_delta - d.send_delta > kMaxArrivalJump) {
      // Reordered groups or a jump of the receiver's clock: measure afresh from this packet.
      reset();
      current_ = Group{send_time, send_time, arrival, arrival, size, true};
      return std::nullopt;
    }
    delta = d;
  }
  previous_ = current_;
  current_ = Group{send_time, send_time, arrival, arrival, size, true};
  return delta;
}

}  // namespace rrtc::bwe
