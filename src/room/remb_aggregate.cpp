#include "room/remb_aggregate.hpp"

#include <algorithm>
#include <limits>

namespace rrtc::room {

std::optional<RembAggregate> aggregate_remb(std::span<std::uint64_t> estimates,
                                            unsigned outlier_ratio) noexcept {
  if (estimates.empty()) return std::nullopt;
  std::uint64_t floor = 0;
  if (outlier_ratio > 0) {
    const auto middle = estimates.begin() + static_cast<std::ptrdiff_t>(estimates.size() / 2);
    std::nth_element(estimates.begin(), middle, estimates.end());
    floor = *middle / outlier_ratio;
  }
  RembAggregate result{std::numeric_limits<std::uint64_t>::max(), 0};
  for (const std::uint64_t estimate : estimates) {
    if (estimate < floor) {
      ++result.outliers;
    } else {
      result.bitrate = std::min(result.bitrate, estimate);
    }
  }
  return result;
}

}  // namespace rrtc::room
