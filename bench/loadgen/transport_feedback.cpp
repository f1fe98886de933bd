#include "transport_feedback.hpp"

#include <algorithm>
#include <array>

namespace rrtc::loadgen {

void TransportFeedback::record(std::uint16_t transport_seq, std::int64_t arrival_us) {
  if (pending_.size() >= kMaxPending) pending_.erase(pending_.begin());
  pending_.push_back(
      rtcp::PacketArrival{unwrapper_.unwrap(transport_seq), std::chrono::microseconds(arrival_us)});
}

std::size_t TransportFeedback::flush(
    std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
    const std::function<void(std::span<const std::uint8_t>)>& send) {
  // Strictly increasing numbers, each once, none reported before (the builder's contract).
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const auto& a, const auto& b) { return a.seq < b.seq; });
  std::erase_if(pending_, [&](const auto& a) { return reported_any_ && a.seq <= reported_up_to_; });
  pending_.erase(std::unique(pending_.begin(), pending_.end(),
                             [](const auto& a, const auto& b) { return a.seq == b.seq; }),
                 pending_.end());
  std::size_t built = 0;
  std::array<std::uint8_t, 1400> out{};
  std::size_t i = 0;
  while (i < pending_.size()) {
    std::size_t n = std::min(kMaxPerMessage, pending_.size() - i);
    // The builder refuses spans of more than 65535 numbers or arrival gaps beyond 16-bit ticks:
    // halve until it takes them (a single arrival always fits).
    while (true) {
      const rtcp::TransportCc message(sender_ssrc, media_ssrc, fb_count_,
                                      std::span(pending_).subspan(i, n));
      const std::size_t size = message.serialized_size();
      if (size != 0 && size <= out.size()) {
        const std::size_t written = message.write_to(out);
        send(std::span<const std::uint8_t>(out.data(), written));
        ++fb_count_;
        ++built;
        break;
      }
      if (n == 1) break;  // cannot be encoded: dropped
      n /= 2;
    }
    i += n;
  }
  if (!pending_.empty()) {
    reported_up_to_ = pending_.back().seq;
    reported_any_ = true;
  }
  pending_.clear();
  return built;
}

}  // namespace rrtc::loadgen
