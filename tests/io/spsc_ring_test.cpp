// SpscRing: claim / commit / read / release in order, full and empty edges, wrap-around, and a
// producer and a consumer on two threads handing over a million entries in order (also built
// in the ThreadSanitizer tree: cmake/RrtcTargets.cmake RRTC_TSAN_TESTS).

#include "io/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>

namespace rrtc::io {
namespace {

struct Item {
  std::uint64_t value;
  std::uint64_t check;
};

TEST(SpscRing, CapacityRoundsUpToAPowerOfTwo) {
  EXPECT_EQ(SpscRing<Item>(0).capacity(), 2u);
  EXPECT_EQ(SpscRing<Item>(5).capacity(), 8u);
  EXPECT_EQ(SpscRing<Item>(4096).capacity(), 4096u);
}

TEST(SpscRing, NothingIsReadableUntilCommitted) {
  SpscRing<Item> ring(4);
  Item* first = ring.claim();
  ASSERT_NE(first, nullptr);
  first->value = 7;
  EXPECT_EQ(ring.readable(), 0u);
  // Claimed again without a commit: the same entry (nothing is reserved).
  EXPECT_EQ(ring.claim(), first);
  ring.commit();
  ASSERT_EQ(ring.readable(), 1u);
  EXPECT_EQ(ring.front().value, 7u);
  EXPECT_NE(ring.claim(), first);
}

TEST(SpscRing, FullRefusesUntilReleased) {
  SpscRing<Item> ring(4);
  for (std::uint64_t i = 0; i < 4; ++i) {
    Item* item = ring.claim();
    ASSERT_NE(item, nullptr) << i;
    item->value = i;
    ring.commit();
  }
  EXPECT_EQ(ring.claim(), nullptr);
  ASSERT_EQ(ring.readable(), 4u);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(ring.front(i).value, i);
  ring.release(1);
  Item* item = ring.claim();
  ASSERT_NE(item, nullptr);
  item->value = 4;
  ring.commit();
  EXPECT_EQ(ring.claim(), nullptr);
  ASSERT_EQ(ring.readable(), 4u);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(ring.front(i).value, i + 1);
  ring.release(4);
  EXPECT_EQ(ring.readable(), 0u);
}

TEST(SpscRing, WrapsAroundManyTimesInOrder) {
  SpscRing<Item> ring(8);
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  for (int round = 0; round < 1000; ++round) {
    // Uneven batches so the indexes cross the end of the entries at every offset.
    const int in = 1 + round % 8;
    for (int i = 0; i < in; ++i) {
      Item* item = ring.claim();
      if (item == nullptr) break;
      item->value = next_in++;
      ring.commit();
    }
    const std::size_t n = ring.readable();
    const std::size_t take = (round % 3 == 0) ? n : n / 2;
    for (std::size_t i = 0; i < take; ++i) ASSERT_EQ(ring.front(i).value, next_out + i);
    next_out += take;
    ring.release(take);
  }
  EXPECT_GT(next_out, 3000u);
  EXPECT_LE(next_in - next_out, 8u);
}

TEST(SpscRing, TwoThreadsHandOverEveryEntryInOrder) {
  constexpr std::uint64_t kCount = 1'000'000;
  SpscRing<Item> ring(256);
  std::thread producer([&ring] {
    for (std::uint64_t i = 0; i < kCount; ++i) {
      Item* item = nullptr;
      while ((item = ring.claim()) == nullptr) std::this_thread::yield();
      item->value = i;
      item->check = i * 2654435761u;
      ring.commit();
    }
  });
  std::uint64_t expected = 0;
  std::uint64_t mismatches = 0;
  while (expected < kCount) {
    const std::size_t n = ring.readable();
    if (n == 0) {
      std::this_thread::yield();
      continue;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Item& item = ring.front(i);
      if (item.value != expected || item.check != expected * 2654435761u) ++mismatches;
      ++expected;
    }
    ring.release(n);
  }
  producer.join();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(expected, kCount);
  EXPECT_EQ(ring.readable(), 0u);
}

}  // namespace
}  // namespace rrtc::io
