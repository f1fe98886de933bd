// MediaBackend::query_room through the real MediaEngine (libnice on 127.0.0.1): the counters of a
// room's participants are read on the room's worker, `done` is called once on that thread, an
// unknown room and a stopped engine answer an empty list, and a worker whose queue is full
// answers an empty list at once instead of queueing more.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/worker_thread.hpp"
#include "engine_harness.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

const std::string kAudio = "rrtc_media_rtp_packets_received_total{kind=\"audio\"}";
constexpr std::uint32_t kAudioSsrc = 2105729691;  // a=ssrc of the fixture's audio m-line
constexpr std::size_t kPacketBytes = 12 + 160;

struct Answer {
  std::vector<room::ParticipantStats> stats;
  std::thread::id thread;
  int calls = 0;
};

class EngineStats : public EngineHarness {
 protected:
  // Asks and waits (the worker answers without this thread's loop).
  Answer query(const std::string& room) {
    auto promise = std::make_shared<std::promise<Answer>>();
    auto future = promise->get_future();
    auto calls = std::make_shared<int>(0);
    engine_->query_room(room, [promise, calls](std::vector<room::ParticipantStats> stats) {
      ++*calls;
      promise->set_value(Answer{std::move(stats), std::this_thread::get_id(), *calls});
    });
    EXPECT_EQ(future.wait_for(kDeadline), std::future_status::ready);
    return future.get();
  }

  void send_audio(TestClient& client, std::uint16_t sequence) {
    const std::vector<std::uint8_t> payload(160, 0xab);
    rtp::PacketBuilder builder;
    builder.set_payload_type(kAudioPayloadType)
        .set_sequence_number(sequence)
        .set_timestamp(sequence * 960u)
        .set_ssrc(kAudioSsrc)
        .set_payload(payload);
    std::vector<std::uint8_t> buffer(builder.serialized_size() + transport::kRtpSendOverhead);
    const auto length = builder.write_to(buffer);
    ASSERT_EQ(length, kPacketBytes);
    EXPECT_EQ(client.peer().send_rtp(buffer, length), transport::SendResult::Sent);
  }
};

TEST_F(EngineStats, QueryRoomReadsEveryParticipantsCountersOnTheWorker) {
  auto& client = new_client();
  ASSERT_TRUE(client.ok());
  connect(client, "stats-room", "alice");
  ASSERT_EQ(client.state, transport::PeerState::Connected) << client.reason;
  for (std::uint16_t seq = 1; seq <= 10; ++seq) send_audio(client, seq);
  ASSERT_TRUE(spin([&] { return metric(kAudio) == 10; })) << metrics();

  const auto answer = query("stats-room");
  EXPECT_EQ(answer.calls, 1);
  EXPECT_NE(answer.thread, std::this_thread::get_id()) << "answered on the worker's thread";
  ASSERT_EQ(answer.stats.size(), 1U);
  const auto& alice = answer.stats[0];
  EXPECT_EQ(alice.participant, "alice");
  EXPECT_TRUE(alice.connected);
  // The transport's datagrams: STUN and DTLS too, so at least the media.
  EXPECT_GE(alice.packets_received, 10U);
  EXPECT_GE(alice.bytes_received, 10U * kPacketBytes);
  EXPECT_GT(alice.packets_sent, 0U);
  EXPECT_GT(alice.bytes_sent, 0U);
  ASSERT_EQ(alice.tracks.size(), 2U);
  const room::PublishedTrackInfo audio{"alice-audio", "0", room::TrackType::audio, "opus"};
  const room::PublishedTrackInfo camera{"alice-camera", "1", room::TrackType::camera, "VP8"};
  EXPECT_EQ(alice.tracks[0].track, audio);
  EXPECT_EQ(alice.tracks[0].packets, 10U);
  EXPECT_EQ(alice.tracks[0].bytes, 10U * kPacketBytes);
  EXPECT_TRUE(alice.tracks[0].forwarding);
  EXPECT_EQ(alice.tracks[1].track, camera);
  EXPECT_EQ(alice.tracks[1].packets, 0U);

  // Muted from signaling: the audio track is no longer forwarded.
  room::ParticipantState muted;
  muted.muted = true;
  engine_->submit({"stats-room", "alice", req::State{muted}});
  const auto later = query("stats-room");
  ASSERT_EQ(later.stats.size(), 1U);
  ASSERT_EQ(later.stats[0].tracks.size(), 2U);
  EXPECT_FALSE(later.stats[0].tracks[0].forwarding);
  EXPECT_TRUE(later.stats[0].tracks[1].forwarding);
}

TEST_F(EngineStats, AnUnknownRoomAndAStoppedEngineAnswerEmpty) {
  const auto unknown = query("no-such-room");
  EXPECT_EQ(unknown.calls, 1);
  EXPECT_TRUE(unknown.stats.empty());
  stop_engine();
  const auto stopped = query("no-such-room");
  EXPECT_EQ(stopped.calls, 1);
  EXPECT_TRUE(stopped.stats.empty());
  EXPECT_EQ(stopped.thread, std::this_thread::get_id()) << "answered at once";
}

transport::IceConfig loopback_ice() {
  transport::IceOptions options;
  options.interfaces = {"127.0.0.1"};
  return transport::resolve_ice_config(options);
}

TEST(WorkerStats, AFullQueueAnswersEmptyAtOnce) {
  constexpr std::size_t kBound = 2;
  const auto ice = loopback_ice();
  const MediaLimits limits;
  WorkerThread worker(0, ice, limits, /*io_uring=*/false, kBound);
  worker.start();
  // Hold the worker's loop so queries wait in its queue.
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> holding;
  auto held = holding.get_future();
  worker.post([released, &holding] {
    holding.set_value();
    released.wait();
  });
  held.wait();

  std::vector<std::thread::id> threads;
  std::vector<std::size_t> sizes;
  std::mutex mutex;
  const auto record = [&](std::vector<room::ParticipantStats> stats) {
    std::lock_guard lock(mutex);
    threads.push_back(std::this_thread::get_id());
    sizes.push_back(stats.size());
  };
  worker.query_room("r", record);
  worker.query_room("r", record);
  EXPECT_EQ(worker.queued(), kBound);
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(threads.empty()) << "queued queries wait for the worker";
  }
  worker.query_room("r", record);  // past the bound
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(threads.size(), 1U);
    EXPECT_EQ(threads[0], std::this_thread::get_id()) << "refused at once, on the caller's thread";
  }
  release.set_value();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (threads.size() == 3) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::yield();
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{0, 0, 0}));
  EXPECT_NE(threads[1], std::this_thread::get_id());
  EXPECT_NE(threads[2], std::this_thread::get_id());
  EXPECT_EQ(worker.queued(), 0U);
  worker.begin_shutdown().wait_for(5s);
  worker.stop_loop();
}

}  // namespace
}  // namespace rrtc::engine::test
