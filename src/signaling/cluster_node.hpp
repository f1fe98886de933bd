#pragma once
// Cluster mode (docs/cluster.md): this node's side of the cluster layer, owned by the Hub when
// redis_url is set. Two Redis connections (commands; the bus subscriber), the node directory
// (heartbeat with this node's load), room placement and the bus, plus the counters behind
// /healthz and /metrics. The relay logic itself is the Hub's (hub_cluster.cpp).
//
// Threading: the signaling io_context's thread, like the Hub: hiredis is driven by that loop
// (cluster/asio_adapter), so Redis replies and bus envelopes arrive as plain callbacks next to
// the WebSocket sessions, with no locks or queues between the Hub and Redis.

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/bus.hpp"
#include "cluster/node_directory.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/room_placement.hpp"
#include "signaling/server_options.hpp"

namespace rrtc::signaling {

struct ClusterCounters {
  std::uint64_t joins_local = 0;      // joins placed on this node
  std::uint64_t joins_relayed = 0;    // joins relayed to the room's node
  std::uint64_t joins_refused = 0;    // 503: Redis unavailable or no node
  std::uint64_t relay_failures = 0;   // relayed sessions ended because the room's node went away
  std::uint64_t messages_out = 0;     // envelopes this node published
  std::uint64_t messages_in = 0;      // envelopes received
  std::uint64_t unknown_session = 0;  // envelopes for a session this node does not know
  std::uint64_t nodes_gone = 0;       // nodes seen leaving the directory
};

class ClusterNode {
 public:
  // Throws std::invalid_argument for a redis_url that does not parse (the app validated it).
  ClusterNode(boost::asio::io_context& io, const ClusterOptions& options);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Connects and starts heartbeating; envelopes for this node go to `on_envelope`, each answered
  // heartbeat's listing to `on_list`, connection changes of the command connection to
  // `on_ready`.
  void start(cluster::Bus::Handler on_envelope, cluster::NodeDirectory::ListHandler on_list,
             std::function<void(bool)> on_ready);
  // Leaves the directory (removes this node's entry), then closes both connections.
  void stop();

  // Sends one envelope from this node; `done` (optional) gets whether the target received it.
  void send(cluster::EnvelopeKind kind, const std::string& to, const std::string& session,
            std::string_view payload, std::function<void(bool ok, bool delivered)> done = {});

  // The load the next heartbeat reports; CPU is measured here (getrusage between calls).
  void set_load(std::uint64_t participants, std::uint64_t rooms);
  void set_draining(bool draining);
  // Registers this node again at once (after a reconnection: a Redis restarted empty has no
  // entry for it, and placements check the entry).
  void heartbeat_now() { directory_.heartbeat_now(); }
  bool draining() const { return directory_.self().draining; }

  // Live non-draining node ids to place a new room on (this one when the directory has not
  // answered yet and it is not draining).
  std::vector<std::string> candidates() const;

  const std::string& id() const { return directory_.self().id; }
  // Both connections ready: commands, and the bus subscriber (without it relayed replies to
  // this node's clients are lost).
  bool ready() const { return commands_.ready() && subscriber_.ready(); }
  const std::string& last_error() const {
    return commands_.ready() ? subscriber_.last_error() : commands_.last_error();
  }
  const cluster::RedisStats& redis_stats() const { return commands_.stats(); }
  const cluster::RedisStats& bus_redis_stats() const { return subscriber_.stats(); }
  const std::vector<cluster::NodeInfo>& nodes() const { return directory_.nodes(); }
  const cluster::NodeDirectoryStats& directory_stats() const { return directory_.stats(); }
  const cluster::BusStats& bus_stats() const { return bus_.stats(); }
  cluster::RoomPlacement& placement() { return placement_; }
  ClusterCounters& counters() { return counters_; }
  const ClusterCounters& counters() const { return counters_; }
  std::chrono::milliseconds node_ttl() const { return directory_.options().ttl; }

 private:
  std::uint32_t measure_cpu();

  cluster::RedisClient commands_;
  cluster::RedisClient subscriber_;
  cluster::NodeDirectory directory_;
  cluster::RoomPlacement placement_;
  cluster::Bus bus_;
  ClusterCounters counters_;
  std::chrono::steady_clock::time_point cpu_at_ = std::chrono::steady_clock::now();
  std::chrono::microseconds cpu_used_{0};
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A random node id ("node-" and 8 hex digits) for a node configured without one.
std::string random_node_id();

}  // namespace rrtc::signaling
