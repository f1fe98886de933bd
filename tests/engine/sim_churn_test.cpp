// Issue 15 on the simulated network: what a participant's state costs does not grow with the
// others' churn (server-offer m-lines recycled, SSRC maps reclaimed), and a participant's
// data-channel relay is policed (messages and bytes per second).
#include <gtest/gtest.h>

#include <string>

#include "sdp/parser.hpp"
#include "sim_room.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

std::size_t mline_count(const std::string& sdp) {
  const auto session = sdp::parse(sdp);
  return session ? session->media.size() : 0;
}

class SimChurn : public SimRoomTest {};

// A stays while 200 publishers join, are offered to A, and leave, one after the other.
TEST_F(SimChurn, TwoHundredJoinLeaveCyclesLeaveAStateBoundedByTheLiveTracks) {
  auto& a = join("A", false);  // a data channel m-line only
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s));
  constexpr int kCycles = 200;
  std::size_t most_mlines = 0;
  std::size_t most_ssrcs = 0;
  for (int i = 0; i < kCycles; ++i) {
    const std::string id = "P" + std::to_string(i);
    join(id, true);
    ASSERT_TRUE(run_until([&] { return a.tracks().size() == 2; }, 2s)) << id;
    most_mlines = std::max(most_mlines, mline_count(last_server_offer["A"]));
    most_ssrcs = std::max(most_ssrcs, worker().find("sim")->find("A")->ssrc_map_size());
    leave(id);
    ASSERT_TRUE(run_until([&] { return a.tracks().empty(); }, 2s)) << id;
  }
  run_for(100ms);
  auto* participant = worker().find("sim")->find("A");
  ASSERT_NE(participant, nullptr);
  // A's data m-line and two slots (audio, video) recycled by every publisher in turn.
  EXPECT_EQ(most_mlines, 3U);
  EXPECT_EQ(mline_count(last_server_offer["A"]), 3U);
  EXPECT_EQ(most_ssrcs, 2U);
  EXPECT_EQ(participant->ssrc_map_size(), 0U) << "the SSRCs of tracks that left are reclaimed";
  EXPECT_EQ(server_offers["A"], 2 * kCycles);
  EXPECT_EQ(worker().find("sim")->size(), 1U);
  EXPECT_TRUE(a.connected());
  EXPECT_TRUE(rejections.empty());
}

TEST_F(SimChurn, DataChannelRelayIsPolicedPerParticipant) {
  limits().max_data_messages_per_second = 10;
  limits().max_data_bytes_per_second = 1000;
  auto& a = join("A", false);
  auto& b = join("B", false);
  ASSERT_TRUE(run_until([&] { return a.data_up() && b.data_up(); }, 2s));
  ASSERT_TRUE(a.open_channel("chat"));
  ASSERT_TRUE(run_until([&] { return b.has_channel("chat"); }, 1s));
  // 30 short messages at once: the bucket holds one second (10 messages); the rest is dropped.
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(a.send_text("chat", "m" + std::to_string(i)));
  run_for(50ms);
  EXPECT_EQ(b.messages().size(), 10U);
  EXPECT_EQ(b.messages().back(), "chat: {\"from\":\"A\",\"data\":\"m9\"}");
  EXPECT_EQ(worker().counters().data_messages_policed.get(), 20U);
  EXPECT_EQ(worker().counters().data_bytes_policed.get(), 20U * 3);  // "m10" to "m29"
  // B's own relay has its own buckets: untouched by A's excess.
  ASSERT_TRUE(b.send_text("chat", "from B"));
  ASSERT_TRUE(run_until([&] { return a.messages().size() == 1; }, 1s));
  // A second later A's buckets are full again: 600 bytes pass, the next 600 would exceed 1000.
  run_for(1s);
  ASSERT_TRUE(a.send_text("chat", std::string(600, 'x')));
  ASSERT_TRUE(a.send_text("chat", std::string(600, 'y')));
  ASSERT_TRUE(a.send_text("chat", "short"));
  run_for(50ms);
  ASSERT_EQ(b.messages().size(), 12U);
  EXPECT_EQ(b.messages()[10].size(),
            std::string("chat: {\"from\":\"A\",\"data\":\"\"}").size() + 600);
  EXPECT_EQ(b.messages()[11], "chat: {\"from\":\"A\",\"data\":\"short\"}");
  EXPECT_EQ(worker().counters().data_messages_policed.get(), 21U);
  EXPECT_EQ(worker().counters().data_bytes_policed.get(), 60U + 600U);
  EXPECT_EQ(worker().counters().data_messages_relayed.get(), 13U);
}

}  // namespace
}  // namespace rrtc::engine::test
