// Per-SSRC receive statistics of RFC 3550 appendix A.3 (packets expected and lost, fraction
// lost per report interval) and A.8 (interarrival jitter in RTP timestamp units).
//
// Pure: arrival times come in as a parameter (any monotonic epoch, microseconds). One instance
// per received stream, used from the owning worker thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "rtp/seq_unwrapper.hpp"

namespace rrtc::rtp {

// The values of one RFC 3550 section 6.4.1 report block, ready to serialize.
struct ReportBlockValues {
  std::uint8_t fraction_lost = 0;    // since the previous report, in 1/256
  std::int32_t cumulative_lost = 0;  // clamped to the 24-bit signed field
  std::uint32_t extended_highest_seq = 0;
  std::uint32_t jitter = 0;  // timestamp units
};

class ReceiveStats {
 public:
  // clock_rate: the RTP clock of the stream in Hz (90000 for video, 48000 for Opus).
  explicit ReceiveStats(std::uint32_t clock_rate) noexcept : clock_rate_(clock_rate) {}

  void on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp,
                 std::chrono::microseconds arrival) noexcept;

  std::uint64_t packets_received() const noexcept { return received_; }
  // Extended highest sequence number minus the first, plus one (A.3 "expected").
  std::int64_t packets_expected() const noexcept;
  std::int64_t cumulative_lost() const noexcept {
    return packets_expected() - static_cast<std::int64_t>(received_);
  }
  std::optional<std::int64_t> extended_highest_seq() const noexcept;
  std::uint32_t jitter() const noexcept { return static_cast<std::uint32_t>(jitter_q4_ >> 4); }

  // Values for the next report block; starts a new fraction-lost interval.
  ReportBlockValues make_report() noexcept;

 private:
  std::uint32_t clock_rate_;
  SeqUnwrapper unwrapper_;
  std::optional<std::int64_t> base_seq_;
  std::int64_t max_seq_ = 0;
  std::uint64_t received_ = 0;
  std::int64_t expected_prior_ = 0;
  std::uint64_t received_prior_ = 0;
  std::optional<std::int64_t> last_transit_;
  std::int64_t jitter_q4_ = 0;  // jitter * 16, as in A.8's integer form
};

}  // namespace rrtc::rtp
