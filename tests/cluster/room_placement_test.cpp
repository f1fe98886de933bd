// RoomPlacement against a real redis-server: placing by load, existing placements, draining
// nodes, release only by the owner, takeover of a dead node's rooms, and two nodes on two
// threads racing for the same new rooms.
#include "cluster/room_placement.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <cstdio>
#include <thread>

#include "cluster/node_directory.hpp"
#include "redis_server.hpp"

namespace rrtc::cluster {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using test::run_until;

RedisClientOptions client_options(const RedisUrl& url) {
  RedisClientOptions o;
  o.url = url;
  o.backoff_initial = 20ms;
  o.backoff_max = 80ms;
  return o;
}

class RoomPlacementTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start());
    redis_.start();
    ASSERT_TRUE(run_until(io_, [&] { return redis_.ready(); }));
  }
  RedisReply call(std::vector<std::string> args) {
    std::optional<RedisReply> out;
    redis_.command(std::move(args), [&](RedisReply r) { out = std::move(r); });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(RedisReply{});
  }
  // A live directory entry, as a heartbeat writes it.
  void register_node(const std::string& id, int participants, int cpu = 0, bool draining = false) {
    call({"HSET", "rrtc:node:" + id, "id", id, "participants", std::to_string(participants), "cpu",
          std::to_string(cpu), "draining", draining ? "1" : "0"});
    call({"PEXPIRE", "rrtc:node:" + id, "60000"});
  }
  PlacementResult place(RoomPlacement& p, const std::string& room,
                        std::vector<std::string> candidates) {
    std::optional<PlacementResult> out;
    p.place(room, candidates, [&](PlacementResult r) { out = std::move(r); });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(RedisReply{RedisErrc::timeout, "no reply", {}});
  }
  static Placement placed(const PlacementResult& r) {
    if (const auto* p = std::get_if<Placement>(&r)) return *p;
    ADD_FAILURE() << "no placement: " << std::get<RedisReply>(r).message;
    return {};
  }

  RedisServer server_;
  boost::asio::io_context io_;
  RedisClient redis_{io_, client_options(server_.url())};
};

TEST_F(RoomPlacementTest, PlacesOnTheLeastLoadedNodeAndThenKeepsIt) {
  register_node("a", 10);
  register_node("b", 3);
  register_node("c", 3, 90);
  RoomPlacement on_a(redis_, "a");
  Placement p = placed(place(on_a, "room-1", {"a", "b", "c"}));
  EXPECT_EQ(p.node_id, "b");  // least participants; c ties but has more CPU
  EXPECT_EQ(p.kind, PlacementKind::placed);
  EXPECT_EQ(call({"GET", "rrtc:room:room-1"}).value.text, "b");
  EXPECT_EQ(call({"SISMEMBER", "rrtc:node_rooms:b", "room-1"}).value.integer, 1);

  // Already placed: the same node whatever the candidates now say.
  Placement again = placed(place(on_a, "room-1", {"a"}));
  EXPECT_EQ(again.node_id, "b");
  EXPECT_EQ(again.kind, PlacementKind::existing);
  EXPECT_EQ(on_a.stats().placed, 1u);
}

TEST_F(RoomPlacementTest, NewRoomsSpreadOverEqualNodes) {
  for (const char* id : {"a", "b", "c"}) register_node(id, 0);
  RoomPlacement p(redis_, "a");
  std::map<std::string, int> per_node;
  for (int i = 0; i < 9; ++i)
    ++per_node[placed(place(p, "r" + std::to_string(i), {"a", "b", "c"})).node_id];
  EXPECT_EQ(per_node, (std::map<std::string, int>{{"a", 3}, {"b", 3}, {"c", 3}}));
}

TEST_F(RoomPlacementTest, SkipsDrainingAndDeadCandidates) {
  register_node("a", 0, 0, /*draining=*/true);
  register_node("b", 50);
  RoomPlacement p(redis_, "a");
  EXPECT_EQ(placed(place(p, "r", {"a", "b", "ghost"})).node_id, "b");
  PlacementResult none = place(p, "other", {"a", "ghost"});
  ASSERT_TRUE(std::holds_alternative<RedisReply>(none));
  EXPECT_EQ(std::get<RedisReply>(none).error, RedisErrc::server);
  EXPECT_EQ(std::get<RedisReply>(none).message, "NONODE no live node among the candidates");
  EXPECT_EQ(p.stats().failed, 1u);
}

TEST_F(RoomPlacementTest, OnlyTheOwnerReleases) {
  register_node("a", 0);
  register_node("b", 5);
  RoomPlacement on_a(redis_, "a");
  RoomPlacement on_b(redis_, "b");
  ASSERT_EQ(placed(place(on_a, "room", {"a", "b"})).node_id, "a");
  auto release = [&](RoomPlacement& p) {
    std::optional<bool> out;
    p.release("room", [&](RedisReply r, bool released) {
      EXPECT_TRUE(r.ok());
      out = released;
    });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(false);
  };
  EXPECT_FALSE(release(on_b));
  EXPECT_EQ(call({"GET", "rrtc:room:room"}).value.text, "a");
  EXPECT_TRUE(release(on_a));
  EXPECT_TRUE(call({"GET", "rrtc:room:room"}).value.is_nil());
  EXPECT_EQ(call({"SISMEMBER", "rrtc:node_rooms:a", "room"}).value.integer, 0);
  EXPECT_FALSE(release(on_a));  // nothing left to release
  EXPECT_EQ(on_a.stats().released, 1u);
  EXPECT_EQ(on_b.stats().released, 0u);
}

TEST_F(RoomPlacementTest, ADeadNodesRoomsAreTakenOverAndReleased) {
  register_node("a", 0);
  register_node("b", 9);
  RoomPlacement on_a(redis_, "a");
  RoomPlacement on_b(redis_, "b");
  ASSERT_EQ(placed(place(on_a, "r1", {"a"})).node_id, "a");
  ASSERT_EQ(placed(place(on_a, "r2", {"a"})).node_id, "a");

  auto release_node = [&](const std::string& id) {
    std::optional<std::int64_t> out;
    on_b.release_node(id, [&](RedisReply r, std::int64_t freed) {
      EXPECT_TRUE(r.ok()) << r.message;
      out = freed;
    });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(-2);
  };
  EXPECT_EQ(release_node("a"), -1);  // alive: refused

  call({"DEL", "rrtc:node:a"});  // what its TTL does when it stops heartbeating
  Placement p = placed(place(on_b, "r1", {"a", "b"}));
  EXPECT_EQ(p.node_id, "b");
  EXPECT_EQ(p.kind, PlacementKind::taken_over);
  EXPECT_EQ(on_b.stats().taken_over, 1u);
  EXPECT_EQ(call({"SISMEMBER", "rrtc:node_rooms:a", "r1"}).value.integer, 0);

  EXPECT_EQ(release_node("a"), 1);  // r2 only: r1 is b's now
  EXPECT_TRUE(call({"GET", "rrtc:room:r2"}).value.is_nil());
  EXPECT_EQ(call({"GET", "rrtc:room:r1"}).value.text, "b");
  EXPECT_EQ(call({"EXISTS", "rrtc:node_rooms:a"}).value.integer, 0);
}

// Two nodes, each with its own connection, io_context and thread, ask for the same new room at
// the same instant, round after round: both must get the same node, and exactly one of them
// must be the one that placed it.
TEST_F(RoomPlacementTest, TwoNodesRacingForOneRoomAgree) {
  register_node("a", 0);
  register_node("b", 0);
  constexpr int kRounds = 300;
  struct Side {
    std::string id;
    std::vector<Placement> results = std::vector<Placement>(kRounds);
    int failures = 0;
  };
  Side sides[2] = {{"a"}, {"b"}};
  std::barrier sync(2);
  auto run_side = [&](Side& side) {
    boost::asio::io_context io;
    RedisClient client(io, client_options(server_.url()));
    client.start();
    if (!run_until(io, [&] { return client.ready(); })) {
      ++side.failures;
    }
    RoomPlacement placement(client, side.id);
    for (int round = 0; round < kRounds; ++round) {
      sync.arrive_and_wait();  // both sides send this round's command at once
      bool done = false;
      placement.place("race-" + std::to_string(round), {"a", "b"}, [&](PlacementResult r) {
        if (auto* p = std::get_if<Placement>(&r)) {
          side.results[round] = *p;
        } else {
          ++side.failures;
        }
        done = true;
      });
      if (!run_until(io, [&] { return done; })) ++side.failures;
    }
  };
  std::thread other([&] { run_side(sides[1]); });
  run_side(sides[0]);
  other.join();

  ASSERT_EQ(sides[0].failures, 0);
  ASSERT_EQ(sides[1].failures, 0);
  int placed_by_a = 0, placed_by_b = 0;
  std::map<std::string, int> per_node;
  for (int round = 0; round < kRounds; ++round) {
    const Placement& a = sides[0].results[round];
    const Placement& b = sides[1].results[round];
    ASSERT_EQ(a.node_id, b.node_id) << "round " << round;
    ASSERT_NE(a.kind == PlacementKind::placed, b.kind == PlacementKind::placed)
        << "round " << round;
    placed_by_a += a.kind == PlacementKind::placed;
    placed_by_b += b.kind == PlacementKind::placed;
    ++per_node[a.node_id];
  }
  std::printf("placed first by a: %d, by b: %d of %d rounds\n", placed_by_a, placed_by_b, kRounds);
  EXPECT_EQ(placed_by_a + placed_by_b, kRounds);
  // Equal nodes: the placed-room count alternates the choice.
  EXPECT_EQ(per_node["a"], kRounds / 2);
  EXPECT_EQ(per_node["b"], kRounds / 2);
  // Both sides won some races: the commands really did arrive in both orders.
  EXPECT_GT(placed_by_a, 0);
  EXPECT_GT(placed_by_b, 0);
  EXPECT_EQ(call({"SCARD", "rrtc:node_rooms:a"}).value.integer, kRounds / 2);
}

}  // namespace
}  // namespace rrtc::cluster
