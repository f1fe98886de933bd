#pragma once
// A bounded single-producer single-consumer ring of preallocated entries, for handing work from
// one media worker thread to another without a lock or an allocation per item (issue 18: a
// room's worker hands the copies it forwarded to the worker that protects and sends them).
//
// The producer writes an entry in place and publishes it: claim() gives the next free entry (or
// nullptr when the ring is full: the caller drops and counts, it never waits), commit() makes it
// visible. A claimed entry that is never committed is simply claimed again next time. The
// consumer reads what is published in order: readable() says how many, front(i) reads the i-th,
// release(n) gives the first n back to the producer. Entries are reused, never destroyed, until
// the ring is.
//
// Memory: the entries come from one `new T[capacity]` that is not value-initialised when T is
// trivially default-constructible, so a large ring costs address space, and resident memory only
// for the entries the traffic has touched.
//
// Threading: exactly one producer thread and one consumer thread (they may change only with a
// happens-before between them, e.g. a thread join). head_ is written by the producer only,
// tail_ by the consumer only; each side keeps a cached copy of the other's index so a hand-off
// reads the other side's cache line only when its cached view says full (producer) or empty
// (consumer).

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace rrtc::io {

template <typename T>
class SpscRing {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit SpscRing(std::size_t capacity)
      : capacity_(round_up(capacity)), mask_(capacity_ - 1), entries_(new T[capacity_]) {}
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const noexcept { return capacity_; }

  // Producer: the entry the next commit() publishes, or nullptr when every entry is published
  // and not yet released.
  T* claim() noexcept {
    if (head_ - tail_cache_ == capacity_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head_ - tail_cache_ == capacity_) return nullptr;
    }
    return &entries_[head_ & mask_];
  }
  // Producer: publishes the entry claim() returned (claim() must have returned one).
  void commit() noexcept {
    assert(head_ - tail_cache_ < capacity_);
    ++head_;
    head_published_.store(head_, std::memory_order_release);
  }

  // Consumer: entries published and not released (a snapshot; more may follow).
  std::size_t readable() noexcept {
    head_cache_ = head_published_.load(std::memory_order_acquire);
    return static_cast<std::size_t>(head_cache_ - tail_local_);
  }
  // Consumer: the i-th readable entry (i < readable()'s last answer).
  T& front(std::size_t i = 0) noexcept {
    assert(tail_local_ + i < head_cache_);
    return entries_[(tail_local_ + i) & mask_];
  }
  // Consumer: gives the first `n` readable entries back to the producer.
  void release(std::size_t n) noexcept {
    assert(tail_local_ + n <= head_cache_);
    tail_local_ += n;
    tail_.store(tail_local_, std::memory_order_release);
  }

 private:
  static std::size_t round_up(std::size_t n) noexcept {
    std::size_t size = 2;
    while (size < n) size <<= 1;
    return size;
  }

  const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<T[]> entries_;
  // Producer's line: its own index, its view of the consumer's.
  alignas(64) std::uint64_t head_ = 0;
  std::uint64_t tail_cache_ = 0;
  alignas(64) std::atomic<std::uint64_t> head_published_{0};
  // Consumer's line.
  alignas(64) std::uint64_t tail_local_ = 0;
  std::uint64_t head_cache_ = 0;
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace rrtc::io
