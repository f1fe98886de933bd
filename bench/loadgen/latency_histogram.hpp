#pragma once
// A log-linear histogram of latencies in microseconds, HDR style: exact below 1024 µs, then 64
// sub-buckets per power of two (relative error under 1.6 %) up to 2^40 µs. Recording is one
// index computation and an increment; merging adds arrays, so each loop thread keeps its own.
// Not thread-safe.

#include <array>
#include <cstdint>

namespace rrtc::loadgen {

class LatencyHistogram {
 public:
  static constexpr unsigned kLinear = 1024;  // exact buckets 0..1023 µs
  static constexpr unsigned kSubBits = 6;    // 64 sub-buckets per octave above
  static constexpr unsigned kOctaves = 30;   // 2^10 .. 2^40 µs
  static constexpr unsigned kBuckets = kLinear + (kOctaves << kSubBits);

  void record(std::uint64_t micros) noexcept;
  void merge(const LatencyHistogram& other) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max() const noexcept { return max_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  double mean() const noexcept;
  // The smallest recorded-bucket upper bound such that at least q of the samples lie at or
  // below it (q in [0, 1]); 0 when empty. Capped by max().
  std::uint64_t percentile(double q) const noexcept;

  // Bucket arithmetic, exposed for tests.
  static unsigned index_of(std::uint64_t micros) noexcept;
  static std::uint64_t upper_bound(unsigned index) noexcept;

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
};

}  // namespace rrtc::loadgen
