// The signaling -> worker queue of a production WorkerThread is bounded (issue 15): with the
// worker's loop held busy, requests past the bound are refused at once with error 503 to that
// participant only (a refused Join also removes it), Leaves always pass, and everything queued
// is handled once the worker is free. And io_uring off means no send ring.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "engine/worker_thread.hpp"
#include "recording_channel.hpp"
#include "transport/ice_settings.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kBound = 8;

transport::IceConfig loopback_ice() {
  transport::IceOptions options;
  options.interfaces = {"127.0.0.1"};
  return transport::resolve_ice_config(options);
}

room::MediaRequest request(const std::string& participant, room::MediaCommand command) {
  return room::MediaRequest{"queue-room", participant, std::move(command)};
}

// Blocks the worker's loop until the returned promise is set: a worker busy with other rooms.
std::promise<void> hold(WorkerThread& worker) {
  std::promise<void> release;
  auto released = std::make_shared<std::shared_future<void>>(release.get_future().share());
  std::promise<void> holding;
  auto held = holding.get_future();
  worker.post([released, holding = std::make_shared<std::promise<void>>(std::move(holding))] {
    holding->set_value();
    released->wait();
  });
  held.wait();
  return release;
}

// Spins until the worker handled everything queued, or 10 s passed.
bool drained(WorkerThread& worker) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (worker.queued() != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class WorkerQueue : public ::testing::Test {
 protected:
  transport::IceConfig ice_ = loopback_ice();
  MediaLimits limits_;
  std::shared_ptr<RecordingChannel> channel_ = std::make_shared<RecordingChannel>();
};

TEST_F(WorkerQueue, RequestsPastTheBoundGet503AndLeavesAlwaysPass) {
  WorkerThread worker(0, ice_, limits_, /*io_uring=*/false, kBound);
  worker.set_channel(channel_);
  worker.start();
  auto release = hold(worker);
  for (std::size_t i = 0; i < kBound; ++i) {
    EXPECT_TRUE(worker.submit(request("p" + std::to_string(i), room::request::Join{})));
  }
  EXPECT_EQ(worker.queued(), kBound);
  EXPECT_FALSE(worker.submit(request("late", room::request::Join{})));
  EXPECT_FALSE(worker.submit(request("p0", room::request::Offer{"v=0", {}})));
  EXPECT_TRUE(worker.submit(request("p1", room::request::Leave{}))) << "leaves are never refused";
  EXPECT_EQ(worker.queued(), kBound + 1);
  EXPECT_EQ(worker.counters().requests_refused.get(), 2U);

  const auto errors = channel_->calls();
  ASSERT_EQ(errors.size(), 2U) << "only the refused requests' participants hear of it";
  EXPECT_EQ(errors[0].kind, ChannelCall::Kind::error);
  EXPECT_EQ(errors[0].participant, "late");
  EXPECT_EQ(errors[0].code, 503);
  EXPECT_TRUE(errors[0].remove) << "a refused join leaves the room it never reached";
  EXPECT_EQ(errors[0].text, "server busy: the media worker's queue is full, try again");
  EXPECT_EQ(errors[1].participant, "p0");
  EXPECT_EQ(errors[1].code, 503);
  EXPECT_FALSE(errors[1].remove) << "a refused offer leaves the participant in its room";

  release.set_value();
  ASSERT_TRUE(drained(worker));
  // Room for more once the worker caught up.
  EXPECT_TRUE(worker.submit(request("p2", room::request::Leave{})));
  ASSERT_TRUE(drained(worker));
  EXPECT_EQ(channel_->calls().size(), 2U);
  worker.begin_shutdown().wait_for(5s);
  worker.stop_loop();
}

TEST_F(WorkerQueue, IoUringOffCreatesNoSendRing) {
  WorkerThread worker(0, ice_, limits_, /*io_uring=*/false);
  worker.set_channel(channel_);
  worker.start();
  // Closures run in post order: once this one ran, start()'s would have created the ring.
  std::promise<void> ran;
  worker.post([&] { ran.set_value(); });
  ASSERT_EQ(ran.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(worker.has_send_ring());
  worker.begin_shutdown().wait_for(5s);
  worker.stop_loop();
}

}  // namespace
}  // namespace rrtc::engine::test
