// PacketStore: one copy per published packet, found by the Router's extended sequence number
// until its slot is reused or it ages out; nothing stored before allocate().
#include "room/packet_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> packet(std::uint8_t fill, std::size_t size = 100) {
  return std::vector<std::uint8_t>(size, fill);
}

TEST(PacketStore, KeepsEachPacketUntilItsSlotIsReused) {
  const time::Timestamp now{time::to_duration(10s)};
  PacketStore store;
  EXPECT_FALSE(store.store(1, packet(1), now));  // not allocated
  store.allocate(4, time::to_duration(1000ms));
  EXPECT_EQ(store.capacity(), 4u);
  for (std::int64_t seq = 10; seq < 14; ++seq) {
    ASSERT_TRUE(store.store(seq, packet(static_cast<std::uint8_t>(seq)), now));
  }
  const auto found = store.get(11, now);
  ASSERT_TRUE(found);
  EXPECT_EQ(std::vector<std::uint8_t>(found->begin(), found->end()), packet(11));
  ASSERT_TRUE(store.store(14, packet(14, 1500), now));  // reuses 10's slot
  EXPECT_FALSE(store.get(10, now));
  EXPECT_EQ(store.get(14, now)->size(), 1500u);
  EXPECT_FALSE(store.store(10, packet(10), now));  // older than the ring: not stored
  EXPECT_FALSE(store.store(15, packet(15, 1501), now));  // larger than a slot
  EXPECT_FALSE(store.get(15, now));
  // Out of order within the ring is fine.
  EXPECT_TRUE(store.store(12, packet(99), now));
  EXPECT_EQ((*store.get(12, now))[0], 99);
}

TEST(PacketStore, ACopyOlderThanMaxAgeIsNotFound) {
  const time::Timestamp now{time::to_duration(10s)};
  PacketStore store;
  store.allocate(8, time::to_duration(1000ms));
  store.allocate(2, time::to_duration(1ms));  // once: later calls keep the ring
  EXPECT_EQ(store.capacity(), 8u);
  ASSERT_TRUE(store.store(-3, packet(3), now));  // early packets may unwrap below zero
  EXPECT_TRUE(store.get(-3, now + time::to_duration(1000ms)));
  EXPECT_FALSE(store.get(-3, now + time::to_duration(1001ms)));
  EXPECT_FALSE(store.get(5, now));  // never stored
}

}  // namespace
}  // namespace rrtc::room
