// GlibLoop holds the worker's SendRing in one Batch across each wake-up's dispatch: everything the
// callbacks of one wake-up send leaves in one io_uring submission, and nothing is held outside a
// dispatch. Real UDP sockets on 127.0.0.1.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/glib_loop.hpp"
#include "io/send_ring.hpp"
#include "support/loopback_udp.hpp"

namespace rrtc::io {
namespace {

using Udp = test::LoopbackUdp;

std::span<const std::uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class GlibLoopBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = SendRing::create(64);
    if (ring_ == nullptr) GTEST_SKIP() << "io_uring unavailable here";
    loop_.set_send_ring(ring_.get());
  }
  // Queues `text` when a batch is open (as NiceTransport::send does); false otherwise.
  bool send(const std::string& text) {
    return ring_->batching() &&
           ring_->queue(sender_.fd(), receiver_.address(), sizeof(sockaddr_in), bytes(text));
  }

  GlibLoop loop_;
  std::unique_ptr<SendRing> ring_;
  Udp sender_;
  Udp receiver_;
};

TEST_F(GlibLoopBatchTest, OneWakeUpsSendsLeaveInOneSubmission) {
  // Three sources ready at once: two posted closures and a timer already due.
  int ran = 0;
  bool queued = true;
  loop_.post([&] { queued = send("p1") && queued, ++ran; });
  loop_.post([&] { queued = send("p2") && queued, ++ran; });
  io::TimerHandle timer = loop_.add_timer(loop_.now(), [&] { queued = send("t") && queued, ++ran; });
  ASSERT_TRUE(loop_.run_until([&] { return ran == 3; }, std::chrono::seconds(2)));
  EXPECT_TRUE(queued);
  EXPECT_FALSE(ring_->batching());  // closed when the dispatch ended
  EXPECT_EQ(ring_->submits(), 1u);
  EXPECT_EQ(ring_->sent(), 3u);
  // All three, in the order the dispatch ran them (the loop's timers are one source, attached
  // when the loop was made, so GLib runs it before the two posted closures).
  EXPECT_EQ(receiver_.drain(), (std::vector<std::string>{"t", "p1", "p2"}));
}

TEST_F(GlibLoopBatchTest, EachWakeUpFlushesItsOwn) {
  int ran = 0;
  loop_.post([&] {
    ASSERT_TRUE(send("first"));
    ++ran;
    // Posted from a dispatch: runs in a later wake-up, after this one's batch left.
    loop_.post([&] {
      EXPECT_EQ(receiver_.drain(), (std::vector<std::string>{"first"}));
      ASSERT_TRUE(send("second"));
      ++ran;
    });
  });
  ASSERT_TRUE(loop_.run_until([&] { return ran == 2; }, std::chrono::seconds(2)));
  EXPECT_EQ(ring_->submits(), 2u);
  EXPECT_EQ(receiver_.drain(), (std::vector<std::string>{"second"}));
  EXPECT_GE(loop_.wakeups(), 2u);
}

TEST_F(GlibLoopBatchTest, WithoutARingNothingIsBatched) {
  loop_.set_send_ring(nullptr);
  bool batching = true;
  loop_.post([&] { batching = ring_->batching(); });
  ASSERT_TRUE(loop_.run_until([&] { return !batching; }, std::chrono::seconds(2)));
  EXPECT_EQ(ring_->submits(), 0u);
}

TEST(GlibLoopThread, StopsAndRunsPostedWork) {
  // The loop thread iterates the context itself: posted work runs there, stop() returns.
  GlibLoop loop;
  loop.start("batch-test");
  std::promise<bool> on_thread;
  auto answer = on_thread.get_future();
  loop.post([&] { on_thread.set_value(loop.on_loop_thread()); });
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_TRUE(answer.get());
  loop.stop();
}

}  // namespace
}  // namespace rrtc::io
