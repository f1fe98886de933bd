#include "rtp/receive_stats.hpp"

#include <algorithm>
#include <cstdlib>

namespace rrtc::rtp {

void ReceiveStats::on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp,
                             std::chrono::microseconds arrival) noexcept {
  const std::int64_t ext = unwrapper_.unwrap(seq);
  ++received_;
  if (!base_seq_) {
    base_seq_ = ext;
    max_seq_ = ext;
  } else if (ext < *base_seq_) {
    base_seq_ = ext;  // a packet older than the first one arrived late
  }
  const bool newest = ext >= max_seq_;
  max_seq_ = std::max(max_seq_, ext);
  // A.8: jitter from packets in sending order only; a late or retransmitted packet would
  // count its delay in the network as jitter.
  if (!newest || clock_rate_ == 0) return;
  // Arrival in timestamp units, wrapping to 32 bits like the RTP timestamp itself, so the
  // difference of two transits is right across timestamp wrap-around.
  const std::int64_t arrival_units = arrival.count() * clock_rate_ / 1'000'000;
  const auto transit = static_cast<std::int64_t>(
      static_cast<std::int32_t>(static_cast<std::uint32_t>(arrival_units) - rtp_timestamp));
  if (last_transit_) {
    const std::int64_t d = std::llabs(transit - *last_transit_);
    jitter_q4_ += d - ((jitter_q4_ + 8) >> 4);
  }
  last_transit_ = transit;
}

std::int64_t ReceiveStats::packets_expected() const noexcept {
  return base_seq_ ? max_seq_ - *base_seq_ + 1 : 0;
}

std::optional<std::int64_t> ReceiveStats::extended_highest_seq() const noexcept {
  if (!base_seq_) return std::nullopt;
  return max_seq_;
}

ReportBlockValues ReceiveStats::make_report() noexcept {
  ReportBlockValues report;
  const std::int64_t expected = packets_expected();
  const std::int64_t expected_interval = expected - expected_prior_;
  const auto received_interval = static_cast<std::int64_t>(received_ - received_prior_);
  const std::int64_t lost_interval = expected_interval - received_interval;
  expected_prior_ = expected;
  received_prior_ = received_;
  if (expected_interval > 0 && lost_interval > 0) {
    // Everything lost gives 256/256, which the 8-bit field can only approach.
    report.fraction_lost = static_cast<std::uint8_t>(
        std::min<std::int64_t>(255, (lost_interval << 8) / expected_interval));
  }
  report.cumulative_lost =
      static_cast<std::int32_t>(std::clamp<std::int64_t>(cumulative_lost(), -0x800000, 0x7FFFFF));
  report.extended_highest_seq = static_cast<std::uint32_t>(max_seq_);
  report.jitter = jitter();
  return report;
}

}  // namespace rrtc::rtp
