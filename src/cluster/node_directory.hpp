#pragma once
// The node directory: every node of a cluster registers itself in Redis and refreshes the entry
// with a heartbeat; an entry that is not refreshed expires, so a node that dies (SIGKILL, power,
// partition from Redis) leaves the directory within the TTL (docs/cluster.md, Keys):
//
//   <prefix>node:<id>  hash  id, signaling_url, media_address, participants, rooms, cpu,
//                            draining, started_ms     PEXPIRE ttl, refreshed every heartbeat
//   <prefix>nodes      set   the ids of registered nodes; entries whose hash expired are
//                            removed by the next heartbeat of any node
//
// One heartbeat is one Redis command (a script: HSET + PEXPIRE + SADD, then it reads every live
// node's hash and returns them), so each node also learns the whole directory every heartbeat
// without a second round trip. nodes() is that listing.
//
// Threading: the RedisClient's io_context thread (see redis_client.hpp), like everything here.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/redis_client.hpp"

namespace rrtc::cluster {

struct NodeInfo {
  std::string id;
  std::string signaling_url;  // where other nodes' clients could reach this node directly
  std::string media_address;  // the address this node's ICE candidates carry
  std::uint64_t participants = 0;
  std::uint64_t rooms = 0;
  std::uint32_t cpu_percent = 0;  // of one core; may exceed 100 on a multi-core node
  bool draining = false;          // takes no new rooms (SIGTERM in cluster mode)
  std::int64_t started_ms = 0;    // Unix time in milliseconds

  bool operator==(const NodeInfo&) const = default;
};

struct NodeDirectoryOptions {
  std::string prefix = "rrtc:";
  std::chrono::milliseconds heartbeat{2000};  // config: cluster_heartbeat_seconds
  std::chrono::milliseconds ttl{6000};        // config: cluster_node_ttl_seconds
};

struct NodeDirectoryStats {
  std::uint64_t heartbeats = 0;          // answered
  std::uint64_t heartbeat_failures = 0;  // failed (Redis down, timeout)
};

class NodeDirectory {
 public:
  // Called after every answered heartbeat with the live nodes (this one included).
  using ListHandler = std::function<void(const std::vector<NodeInfo>&)>;

  NodeDirectory(boost::asio::io_context& io, RedisClient& redis, NodeInfo self,
                NodeDirectoryOptions options = {});
  ~NodeDirectory();
  NodeDirectory(const NodeDirectory&) = delete;
  NodeDirectory& operator=(const NodeDirectory&) = delete;

  // Heartbeats now and every options.heartbeat until stop(). A failed heartbeat is retried at
  // the next tick (the client reconnects on its own).
  void start();
  // Stops heartbeating and removes this node's entry (a graceful leave: others see it go at
  // once instead of after the TTL). `done` runs when Redis answered or failed.
  void stop(std::function<void(bool removed)> done = {});

  // What the next heartbeat reports.
  void set_load(std::uint64_t participants, std::uint64_t rooms, std::uint32_t cpu_percent);
  void set_draining(bool draining);

  void on_list(ListHandler handler) { list_handler_ = std::move(handler); }

  // One heartbeat now, off schedule (after set_draining, so placements see it at once); skipped
  // while one is in flight. The periodic ones keep their schedule.
  void heartbeat_now() { heartbeat(); }

  const NodeInfo& self() const noexcept { return self_; }
  // The live nodes as of the last answered heartbeat, sorted by id.
  const std::vector<NodeInfo>& nodes() const noexcept { return nodes_; }
  const NodeDirectoryStats& stats() const noexcept { return stats_; }
  const NodeDirectoryOptions& options() const noexcept { return options_; }

  // The Redis keys (for tests, docs and the placement scripts).
  static std::string node_key(const std::string& prefix, const std::string& id);

  // Parses one HGETALL reply (field, value, ...); nullopt when it has no id.
  static std::optional<NodeInfo> parse_node(const RedisValue& hash);

 private:
  void heartbeat();
  void arm();

  RedisClient& redis_;
  NodeInfo self_;
  NodeDirectoryOptions options_;
  NodeDirectoryStats stats_;
  std::vector<NodeInfo> nodes_;
  ListHandler list_handler_;
  bool running_ = false;
  bool in_flight_ = false;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rrtc::cluster
