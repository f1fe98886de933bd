#pragma once
// The bitrate the Router asks a publisher for (REMB) from its subscribers' estimates, so that one
// subscriber on a poor link does not lower the video for everyone (issue 15).
//
// The rule: take the (upper) median M of the estimates, the one at index n / 2 once sorted; an
// estimate below M / outlier_ratio is an outlier and is left out; the answer is the lowest of the
// others. So one subscriber at 50 kbps among three at 2 Mbps leaves 2 Mbps, while all of them
// low give the lowest; with two subscribers, the upper one decides when the lower is more than
// `outlier_ratio` times below it. An outlier is left to lose packets (and recover by NACK and
// key frames) until per-subscriber layer selection (simulcast) can give it a lower layer.
// outlier_ratio 0 keeps every estimate (the plain minimum).
//
// Pure; reorders `estimates` in place, allocates nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rrtc::room {

struct RembAggregate {
  std::uint64_t bitrate = 0;
  std::size_t outliers = 0;  // estimates left out
};

// nullopt when there is no estimate.
std::optional<RembAggregate> aggregate_remb(std::span<std::uint64_t> estimates,
                                            unsigned outlier_ratio) noexcept;

}  // namespace rrtc::room
