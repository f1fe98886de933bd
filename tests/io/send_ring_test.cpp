// SendRing over real UDP sockets on 127.0.0.1: batched datagrams reach each destination intact
// and in order, a full ring flushes early, oversized datagrams are refused, and nothing is
// queued outside a Batch.

#include "io/send_ring.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/loopback_udp.hpp"

namespace rrtc::io {
namespace {

using Udp = test::LoopbackUdp;

std::span<const std::uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class SendRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = SendRing::create(8);
    if (ring_ == nullptr) GTEST_SKIP() << "io_uring unavailable here";
  }
  bool queue(const Udp& to, const std::string& text) {
    return ring_->queue(sender_.fd(), to.address(), sizeof(sockaddr_in), bytes(text));
  }

  std::unique_ptr<SendRing> ring_;
  Udp sender_;
  Udp a_;
  Udp b_;
};

TEST_F(SendRingTest, ABatchLeavesWhenItCloses) {
  {
    const SendRing::Batch batch(ring_.get());
    EXPECT_TRUE(ring_->batching());
    for (int i = 0; i < 3; ++i) {
      std::string text = "a" + std::to_string(i);
      ASSERT_TRUE(queue(a_, text));
      text[0] = 'b';
      ASSERT_TRUE(queue(b_, text));
      text.clear();  // the ring copied it
    }
    {
      const SendRing::Batch inner(ring_.get());  // nested: only the outermost flushes
    }
    EXPECT_TRUE(a_.drain().empty());
  }
  EXPECT_FALSE(ring_->batching());
  EXPECT_EQ(a_.drain(), (std::vector<std::string>{"a0", "a1", "a2"}));
  EXPECT_EQ(b_.drain(), (std::vector<std::string>{"b0", "b1", "b2"}));
  EXPECT_EQ(ring_->sent(), 6u);
  EXPECT_EQ(ring_->failed(), 0u);
  EXPECT_EQ(ring_->submits(), 1u);
}

TEST_F(SendRingTest, AFullRingFlushesEarlyAndKeepsOrder) {
  {
    const SendRing::Batch batch(ring_.get());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(queue(a_, std::to_string(i)));
  }
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(std::to_string(i));
  EXPECT_EQ(a_.drain(), expected);
  EXPECT_EQ(ring_->submits(), 3u);  // 8 + 8 + 4
  EXPECT_EQ(ring_->sent(), 20u);
}

TEST_F(SendRingTest, RefusesWhatDoesNotFitASlot) {
  const SendRing::Batch batch(ring_.get());
  EXPECT_FALSE(queue(a_, std::string(SendRing::kSlotBytes + 1, 'x')));
  EXPECT_TRUE(queue(a_, std::string(SendRing::kSlotBytes, 'x')));
}

TEST_F(SendRingTest, ASendTheKernelRefusesIsCountedNotFatal) {
  {
    const SendRing::Batch batch(ring_.get());
    ASSERT_TRUE(ring_->queue(-1, a_.address(), sizeof(sockaddr_in), bytes("nowhere")));
    ASSERT_TRUE(queue(a_, "still"));
  }
  EXPECT_EQ(ring_->failed(), 1u);
  EXPECT_EQ(ring_->sent(), 1u);
  EXPECT_EQ(a_.drain(), (std::vector<std::string>{"still"}));
  EXPECT_FALSE(ring_->batching());
}

// The forwarded copies' one write: a datagram written into next_slot() is queued without a copy;
// a slot written but never queued is the next one again; a full ring flushes first.
TEST_F(SendRingTest, ADatagramWrittenIntoTheNextSlotIsNotCopied) {
  EXPECT_TRUE(ring_->next_slot().empty());  // no Batch open
  {
    const SendRing::Batch batch(ring_.get());
    for (int i = 0; i < 10; ++i) {
      const std::span<std::uint8_t> slot = ring_->next_slot();
      ASSERT_EQ(slot.size(), SendRing::kSlotBytes);
      const std::string text = "s" + std::to_string(i);
      std::copy(text.begin(), text.end(), slot.begin());
      if (i == 3) {
        EXPECT_EQ(ring_->next_slot().data(), slot.data());  // not queued: still free
        continue;
      }
      ASSERT_TRUE(ring_->queue(sender_.fd(), a_.address(), sizeof(sockaddr_in),
                               slot.first(text.size())));
    }
    ASSERT_TRUE(queue(a_, "copied"));
  }
  EXPECT_EQ(a_.drain(), (std::vector<std::string>{"s0", "s1", "s2", "s4", "s5", "s6", "s7", "s8",
                                                  "s9", "copied"}));
  EXPECT_EQ(ring_->copied(), 1u);
  EXPECT_EQ(ring_->submits(), 2u);  // 8 + 2
}

}  // namespace
}  // namespace rrtc::io
