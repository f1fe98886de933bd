#pragma once
// Which of a received stream's recent sequence numbers have arrived, so that a packet that
// arrives twice is forwarded once. The duplicates that matter: a Chromium publisher pads and
// probes its uplink with RTX copies of packets it sent moments before (libwebrtc's payload
// padding: the same packet again and again while it pads). Unwrapped and forwarded, each such
// copy reached every subscriber as a packet it already had; its SRTP replay check dropped it,
// and its transport-cc feedback then reported it lost, so the subscribers' estimates fell on
// loss that no link made (about 10 % with a loaded publisher: bench/results/simulcast-browser/
// 2026-12-07-load/).
//
// A bit per number over the last kWindow numbers before the highest. A number ahead of the
// highest is new (the window slides); one inside the window is new once. One older than the
// window is not judged and passes as new: that is a stream that restarted its numbering
// backwards (a sender restarted with its SSRC), not a repeat, and treating it as old would drop
// everything it sends until it caught up. Pure, fixed size, no allocation.

#include <array>
#include <cstdint>
#include <optional>

namespace rrtc::room {

class ReceivedWindow {
 public:
  static constexpr std::int64_t kWindow = 1024;

  // Records the extended sequence number `seq`; false when it arrived before. Numbers older
  // than the window are true and not recorded.
  bool first_arrival(std::int64_t seq) noexcept;

 private:
  bool test_and_set(std::int64_t seq) noexcept;
  void clear(std::int64_t seq) noexcept;

  std::array<std::uint64_t, kWindow / 64> bits_{};
  std::optional<std::int64_t> highest_;
};

}  // namespace rrtc::room
