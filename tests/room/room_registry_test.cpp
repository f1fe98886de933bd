#include "room/room_registry.hpp"

#include <gtest/gtest.h>

namespace rrtc::room {
namespace {

using namespace std::chrono_literals;

Participant make(std::string id, std::string name = "") {
  return {std::move(id), std::move(name), {}};
}

class RoomRegistryTest : public ::testing::Test {
 protected:
  time::Timestamp t0 = time::Timestamp(100s);  // media time on a simulated clock
};

TEST_F(RoomRegistryTest, FirstJoinCreatesRoomAndKeepsJoinOrder) {
  RoomRegistry registry({10, 5, 0s});
  EXPECT_FALSE(registry.join("r", make("a", "Ann")));
  EXPECT_FALSE(registry.join("r", make("b")));
  EXPECT_FALSE(registry.join("s", make("a")));  // same id in another room is fine
  ASSERT_NE(registry.find("r"), nullptr);
  const auto& list = registry.find("r")->participants();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "a");
  EXPECT_EQ(list[0].name, "Ann");
  EXPECT_EQ(list[1].id, "b");
  EXPECT_EQ(registry.room_count(), 2u);
  EXPECT_EQ(registry.participant_count(), 3u);
}

TEST_F(RoomRegistryTest, RefusesDuplicateIdFullRoomAndTooManyRooms) {
  RoomRegistry registry({2, 2, 0s});
  EXPECT_FALSE(registry.join("r", make("a")));
  EXPECT_EQ(registry.join("r", make("a")), JoinError::duplicate_participant);
  EXPECT_FALSE(registry.join("r", make("b")));
  EXPECT_EQ(registry.join("r", make("c")), JoinError::room_full);
  EXPECT_FALSE(registry.join("s", make("c")));
  EXPECT_EQ(registry.join("t", make("d")), JoinError::too_many_rooms);
  EXPECT_EQ(registry.participant_count(), 3u);
  EXPECT_EQ(registry.room_count(), 2u);
}

TEST_F(RoomRegistryTest, ZeroGraceRemovesEmptyRoomAtOnce) {
  RoomRegistry registry({10, 5, 0s});
  ASSERT_FALSE(registry.join("r", make("a")));
  ASSERT_FALSE(registry.join("r", make("b")));
  EXPECT_TRUE(registry.leave("r", "a", t0));
  EXPECT_EQ(registry.room_count(), 1u);
  EXPECT_TRUE(registry.leave("r", "b", t0));
  EXPECT_EQ(registry.room_count(), 0u);
  EXPECT_EQ(registry.participant_count(), 0u);
  EXPECT_FALSE(registry.leave("r", "b", t0));
  EXPECT_FALSE(registry.next_expiry());
}

TEST_F(RoomRegistryTest, GracePeriodKeepsEmptyRoomUntilDue) {
  RoomRegistry registry({10, 5, 30s});
  ASSERT_FALSE(registry.join("r", make("a")));
  ASSERT_TRUE(registry.leave("r", "a", t0));
  EXPECT_EQ(registry.room_count(), 1u);
  ASSERT_TRUE(registry.next_expiry());
  EXPECT_EQ(*registry.next_expiry(), t0 + 30s);
  EXPECT_TRUE(registry.expire(t0 + 29s).empty());
  EXPECT_EQ(registry.expire(t0 + 30s), std::vector<std::string>{"r"});
  EXPECT_EQ(registry.room_count(), 0u);
}

TEST_F(RoomRegistryTest, RejoinDuringGraceCancelsExpiry) {
  RoomRegistry registry({10, 5, 30s});
  ASSERT_FALSE(registry.join("r", make("a")));
  ASSERT_TRUE(registry.leave("r", "a", t0));
  ASSERT_FALSE(registry.join("r", make("b")));
  EXPECT_FALSE(registry.next_expiry());
  EXPECT_TRUE(registry.expire(t0 + 1h).empty());
  EXPECT_EQ(registry.room_count(), 1u);
}

TEST_F(RoomRegistryTest, EmptyRoomsInGraceCountAgainstMaxRooms) {
  RoomRegistry registry({1, 5, 30s});
  ASSERT_FALSE(registry.join("r", make("a")));
  ASSERT_TRUE(registry.leave("r", "a", t0));
  EXPECT_EQ(registry.join("s", make("b")), JoinError::too_many_rooms);
  registry.expire(t0 + 30s);
  EXPECT_FALSE(registry.join("s", make("b")));
}

TEST_F(RoomRegistryTest, UpdateStateMergesPartialChanges) {
  RoomRegistry registry({10, 5, 0s});
  ASSERT_FALSE(registry.join("r", make("a")));
  const ParticipantState initial = registry.find("r")->find("a")->state;
  EXPECT_FALSE(initial.muted);
  EXPECT_TRUE(initial.video_on);
  EXPECT_FALSE(initial.screen_sharing);

  auto s = registry.update_state("r", "a", {true, std::nullopt, std::nullopt});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (ParticipantState{true, true, false}));
  s = registry.update_state("r", "a", {std::nullopt, false, true});
  EXPECT_EQ(*s, (ParticipantState{true, false, true}));
  EXPECT_EQ(registry.find("r")->find("a")->state, (ParticipantState{true, false, true}));
  EXPECT_FALSE(registry.update_state("r", "zz", {true, {}, {}}));
  EXPECT_FALSE(registry.update_state("nope", "a", {true, {}, {}}));
}

TEST_F(RoomRegistryTest, NextExpiryIsTheEarliestEmptyRoom) {
  RoomRegistry registry({10, 5, 10s});
  ASSERT_FALSE(registry.join("late", make("a")));
  ASSERT_FALSE(registry.join("early", make("b")));
  ASSERT_TRUE(registry.leave("early", "b", t0));
  ASSERT_TRUE(registry.leave("late", "a", t0 + 5s));
  EXPECT_EQ(*registry.next_expiry(), t0 + 10s);
  EXPECT_EQ(registry.expire(t0 + 10s), std::vector<std::string>{"early"});
  EXPECT_EQ(*registry.next_expiry(), t0 + 15s);
}

}  // namespace
}  // namespace rrtc::room
