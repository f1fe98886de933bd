#pragma once
// Room placement: which node a room lives on. The first join of a room, on any node, places it
// atomically (one Lua script, so two nodes racing for one new room get the same answer); the
// placement lasts until the room's node releases it (the room ended) or the node dies (its
// directory entry expired: the next placement attempt for the room takes it over, atomically).
//
//   <prefix>room:<name>        string  the node id the room lives on (no TTL: it lives as long
//                                      as the room; the owner's liveness is its node hash)
//   <prefix>node_rooms:<id>    set     the rooms placed on node <id>: its placed-room count for
//                                      the load, and what release_node() cleans
//
// Choosing a node: among the candidates the caller passes (the live, non-draining nodes it
// knows, usually NodeDirectory::nodes()), the script keeps those whose directory entry exists
// and is not draining, and takes the least loaded: load = participants (from the last
// heartbeat) + rooms placed (exact, from the set), then lower CPU, then the smaller id. Counting
// placed rooms makes a burst of new rooms spread over the nodes at once instead of waiting for
// heartbeats to report them.
//
// Each call is one Redis command (EVALSHA). Threading: the RedisClient's thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cluster/redis_client.hpp"

namespace rrtc::cluster {

enum class PlacementKind : std::uint8_t {
  existing,    // the room was already placed on a live node
  placed,      // this call placed it
  taken_over,  // it was placed on a dead node; this call placed it again
};

struct Placement {
  std::string node_id;
  PlacementKind kind = PlacementKind::existing;
};

// Why there is no placement: Redis failed (reply.error != ok: 503 for a join), or no candidate
// was live (RedisErrc::server, message starting "NONODE").
using PlacementResult = std::variant<Placement, RedisReply>;

struct RoomPlacementStats {
  std::uint64_t placed = 0;      // by this node's calls (kind placed or taken_over)
  std::uint64_t taken_over = 0;  // ... of them, from a dead node
  std::uint64_t released = 0;    // release() calls that removed the placement
  std::uint64_t failed = 0;      // place / release calls that failed
};

class RoomPlacement {
 public:
  RoomPlacement(RedisClient& redis, std::string self_id, std::string prefix = "rrtc:");

  // Where `room` lives, placing it when needed. `candidates`: node ids to choose from.
  void place(const std::string& room, const std::vector<std::string>& candidates,
             std::function<void(PlacementResult)> done);

  // Removes the placement when it is still this node's (compare and delete); `done` gets true
  // when it was removed, false when another node owns the room now or it was not placed.
  void release(const std::string& room, std::function<void(RedisReply, bool released)> done);

  // Removes every placement of `node_id` when its directory entry is gone (a dead node); refuses
  // (count -1) while the node is alive. `done` gets the number of rooms freed.
  void release_node(const std::string& node_id,
                    std::function<void(RedisReply, std::int64_t freed)> done);

  const RoomPlacementStats& stats() const noexcept { return stats_; }
  const std::string& self_id() const noexcept { return self_id_; }

  static std::string room_key(const std::string& prefix, const std::string& room);

 private:
  RedisClient& redis_;
  std::string self_id_;
  std::string prefix_;
  RoomPlacementStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rrtc::cluster
