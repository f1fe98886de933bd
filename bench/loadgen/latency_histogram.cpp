#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace rrtc::loadgen {

unsigned LatencyHistogram::index_of(std::uint64_t micros) noexcept {
  if (micros < kLinear) return static_cast<unsigned>(micros);
  const unsigned octave = static_cast<unsigned>(std::bit_width(micros)) - 11;  // 1024.. -> 0
  if (octave >= kOctaves) return kBuckets - 1;
  const unsigned shift = octave + 10 - kSubBits;
  const unsigned sub = static_cast<unsigned>(micros >> shift) & ((1u << kSubBits) - 1);
  return kLinear + (octave << kSubBits) + sub;
}

std::uint64_t LatencyHistogram::upper_bound(unsigned index) noexcept {
  if (index < kLinear) return index;
  const unsigned octave = (index - kLinear) >> kSubBits;
  const unsigned sub = (index - kLinear) & ((1u << kSubBits) - 1);
  const unsigned shift = octave + 10 - kSubBits;
  // Values in this bucket: (64 + sub) << shift .. ((64 + sub + 1) << shift) - 1.
  return ((std::uint64_t{(1u << kSubBits) + sub + 1}) << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t micros) noexcept {
  ++buckets_[index_of(micros)];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
  min_ = std::min(min_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (unsigned i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::uint64_t LatencyHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (unsigned i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(upper_bound(i), max_);
  }
  return max_;
}

}  // namespace rrtc::loadgen
