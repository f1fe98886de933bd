#pragma once
// The acknowledged bitrate: the rate at which the receiver reports our packets arriving,
// measured over windows of arrival time (the first 500 ms, then 150 ms) and blended into a
// running estimate by uncertainty, so one short window (a burst drained from a queue) moves it
// little while a rate seen in window after window wins. The decrease on over-use is a share of
// this rate: what the path carried, not what we sent.
//
// Arrival times are the receiver's clock (arbitrary origin); only their differences matter.

#include <cstdint>
#include <optional>

#include "bwe/data_rate.hpp"
#include "time/media_time.hpp"

namespace rrtc::bwe {

class AcknowledgedBitrate {
 public:
  static constexpr time::Duration kInitialWindow{500'000};
  static constexpr time::Duration kWindow{150'000};

  // A packet the feedback reported received, in arrival order (an earlier arrival than the
  // last is counted at the last).
  void on_packet_acked(time::Duration arrival, std::int64_t size) noexcept;

  // The estimate; nullopt before the first window has closed.
  std::optional<DataRate> bitrate() const noexcept;

  // The rate of the last closed window (no blending); for tests and probes.
  std::optional<DataRate> last_sample() const noexcept { return last_sample_; }

 private:
  void add_sample(DataRate sample) noexcept;

  bool started_ = false;
  time::Duration window_start_{0};
  time::Duration last_arrival_{0};
  std::int64_t window_bytes_ = 0;
  bool first_window_ = true;
  double estimate_kbps_ = -1;  // -1: none yet
  double variance_ = 50;       // of estimate_kbps_
  std::optional<DataRate> last_sample_;
};

}  // namespace rrtc::bwe
