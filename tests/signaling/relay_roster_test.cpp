// Unit: what a node relaying a client's signaling keeps of it (the room's roster, for
// participant_left when the room's node dies) and which nodes it counts as gone.
#include "signaling/relay_roster.hpp"

#include <gtest/gtest.h>

#include "signaling/messages.hpp"

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;

TEST(MessageTypeTest, ReadsOurOwnMessagesAndParsesOthers) {
  EXPECT_EQ(message_type(participant_left_json("B")), "participant_left");
  EXPECT_EQ(message_type(sdp_json("answer", "v=0\r\n")), "answer");
  EXPECT_EQ(message_type(R"({ "sdp": "x", "type": "offer" })"), "offer");
  EXPECT_EQ(message_type(R"({"type":"a\"b"})"), "a\"b");
  EXPECT_EQ(message_type(R"({"type":7})"), "");
  EXPECT_EQ(message_type("not json"), "");
  EXPECT_EQ(message_type(R"(["type"])"), "");
}

TEST(RelayRosterTest, FollowsJoinedJoinsAndLeaves) {
  RelayRoster roster;
  EXPECT_FALSE(roster.joined());
  std::vector<ParticipantInfo> others{{"A", "Ann", {}}, {"B", "Bob", {}}};
  EXPECT_EQ(roster.observe(joined_json("C", "r1", others, {})), "joined");
  EXPECT_TRUE(roster.joined());
  EXPECT_EQ(roster.your_id(), "C");
  EXPECT_EQ(roster.others(), (std::set<std::string>{"A", "B"}));

  EXPECT_EQ(roster.observe(participant_joined_json({"D", "Dee", {}})), "participant_joined");
  EXPECT_EQ(roster.observe(participant_left_json("A")), "participant_left");
  EXPECT_EQ(roster.observe(sdp_json("offer", "v=0\r\n")), "offer");
  EXPECT_EQ(roster.others(), (std::set<std::string>{"B", "D"}));
  // Our own id never counts among the others, and an unknown leaver changes nothing.
  roster.observe(participant_joined_json({"C", "", {}}));
  roster.observe(participant_left_json("Z"));
  EXPECT_EQ(roster.others(), (std::set<std::string>{"B", "D"}));
}

TEST(RelayRosterTest, ASecondJoinedReplacesTheRoster) {
  RelayRoster roster;
  roster.observe(joined_json("C", "r1", {{"A", "", {}}}, {}));
  roster.observe(joined_json("E", "r2", {{"F", "", {}}}, {}));
  EXPECT_EQ(roster.your_id(), "E");
  EXPECT_EQ(roster.others(), (std::set<std::string>{"F"}));
}

TEST(NodeLivenessTest, ANodeMissingFromAListingIsGoneOnce) {
  NodeLiveness liveness(6s);
  NodeLiveness::Clock::time_point t0{};
  liveness.connected(t0);
  EXPECT_TRUE(liveness.update({"a", "b", "c"}, t0 + 6s).empty());
  EXPECT_EQ(liveness.update({"a", "c"}, t0 + 8s), (std::vector<std::string>{"b"}));
  EXPECT_FALSE(liveness.known("b"));
  EXPECT_TRUE(liveness.update({"a", "c"}, t0 + 10s).empty());
  EXPECT_EQ(liveness.update({"c", "d"}, t0 + 12s), (std::vector<std::string>{"a"}));
}

TEST(NodeLivenessTest, ListingsWithinATtlOfAReconnectOnlyAdd) {
  NodeLiveness liveness(6s);
  NodeLiveness::Clock::time_point t0{};
  liveness.connected(t0);
  EXPECT_TRUE(liveness.update({"a", "b"}, t0 + 7s).empty());
  // Redis restarted: empty of every entry; the first listings miss nodes that live.
  liveness.connected(t0 + 20s);
  EXPECT_TRUE(liveness.update({"a"}, t0 + 20s).empty());
  EXPECT_TRUE(liveness.update({"a"}, t0 + 25999ms).empty());
  EXPECT_TRUE(liveness.known("b"));
  // A TTL after the reconnect every live node has heartbeated: b is gone for good.
  EXPECT_EQ(liveness.update({"a"}, t0 + 26s), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace rrtc::signaling
