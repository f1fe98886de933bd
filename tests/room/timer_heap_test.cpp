#include "room/timer_heap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

struct Node : TimerNode {
  int id = 0;
};

time::Timestamp t(time::Duration d) { return time::Timestamp(d); }

std::vector<int> pop_all(TimerHeap& heap, time::Timestamp now) {
  std::vector<int> ids;
  while (TimerNode* node = heap.pop_due(now)) ids.push_back(static_cast<Node*>(node)->id);
  return ids;
}

TEST(TimerHeap, PopsDueNodesEarliestFirst) {
  TimerHeap heap;
  std::array<Node, 4> nodes;
  for (int i = 0; i < 4; ++i) nodes[static_cast<std::size_t>(i)].id = i;
  heap.reserve(nodes.size());
  EXPECT_FALSE(heap.next());
  heap.schedule(nodes[0], t(30ms));
  heap.schedule(nodes[1], t(10ms));
  heap.schedule(nodes[2], t(20ms));
  heap.schedule(nodes[3], t(40ms));
  EXPECT_EQ(heap.next(), t(10ms));
  EXPECT_EQ(heap.pop_due(t(9ms)), nullptr);
  EXPECT_EQ(pop_all(heap, t(30ms)), (std::vector<int>{1, 2, 0}));
  EXPECT_FALSE(nodes[0].scheduled());
  EXPECT_TRUE(nodes[3].scheduled());
  EXPECT_EQ(heap.next(), t(40ms));
}

TEST(TimerHeap, ReschedulingMovesAndCancellingRemoves) {
  TimerHeap heap;
  std::array<Node, 3> nodes;
  for (int i = 0; i < 3; ++i) nodes[static_cast<std::size_t>(i)].id = i;
  heap.reserve(nodes.size());
  heap.schedule(nodes[0], t(10ms));
  heap.schedule(nodes[1], t(20ms));
  heap.schedule(nodes[2], t(30ms));
  heap.schedule(nodes[0], t(50ms));  // later
  heap.schedule(nodes[2], t(5ms));   // earlier
  EXPECT_EQ(heap.size(), 3u);
  EXPECT_EQ(nodes[0].due(), t(50ms));
  heap.cancel(nodes[1]);
  heap.cancel(nodes[1]);  // twice is harmless
  EXPECT_EQ(heap.size(), 2u);
  EXPECT_EQ(pop_all(heap, t(1s)), (std::vector<int>{2, 0}));
  EXPECT_FALSE(heap.next());
}

TEST(TimerHeap, MatchesASortedOrderUnderRandomMoves) {
  std::mt19937 random(7);
  TimerHeap heap;
  std::vector<Node> nodes(64);
  heap.reserve(nodes.size());
  std::vector<std::int64_t> due(nodes.size(), -1);
  for (int step = 0; step < 2000; ++step) {
    const std::size_t i = random() % nodes.size();
    if (random() % 4 == 0) {
      heap.cancel(nodes[i]);
      due[i] = -1;
    } else {
      due[i] = static_cast<std::int64_t>(random() % 1000);
      heap.schedule(nodes[i], t(time::Duration(due[i])));
    }
    std::int64_t earliest = -1;
    for (const auto d : due) {
      if (d >= 0 && (earliest < 0 || d < earliest)) earliest = d;
    }
    if (earliest < 0) {
      ASSERT_FALSE(heap.next());
    } else {
      ASSERT_EQ(heap.next(), t(time::Duration(earliest)));
    }
  }
  std::int64_t last = -1;
  std::size_t popped = 0;
  while (TimerNode* node = heap.pop_due(t(1s))) {
    const auto d = node->due().time_since_epoch().count();
    EXPECT_GE(d, last);
    last = d;
    ++popped;
  }
  EXPECT_EQ(popped, static_cast<std::size_t>(
                        std::count_if(due.begin(), due.end(), [](auto d) { return d >= 0; })));
}

}  // namespace
}  // namespace rrtc::room
