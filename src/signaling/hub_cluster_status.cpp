// Cluster mode: its part of /healthz (the nodes this node sees, Redis, draining) and of
// /metrics (docs/metrics.md, "Cluster").
#include <fmt/format.h>

#include <boost/json.hpp>

#include "signaling/cluster_node.hpp"
#include "signaling/hub.hpp"

namespace rrtc::signaling {

void Hub::cluster_healthz(boost::json::object& health) const {
  boost::json::array nodes;
  for (const auto& node : cluster_->nodes()) {
    nodes.push_back(boost::json::object{{"id", node.id},
                                        {"signaling_url", node.signaling_url},
                                        {"media_address", node.media_address},
                                        {"participants", node.participants},
                                        {"rooms", node.rooms},
                                        {"cpu", node.cpu_percent},
                                        {"draining", node.draining}});
  }
  const bool ready = cluster_->ready();
  if (!stopping_) health["status"] = draining_ ? "draining" : ready ? "ok" : "degraded";
  health["cluster"] = boost::json::object{
      {"node_id", cluster_->id()},
      {"redis", ready ? std::string("connected") : cluster_->last_error()},
      {"draining", draining_},
      {"relayed_sessions", client_relays_.size()},
      {"relayed_in", room_relays_.size()},
      {"nodes", std::move(nodes)}};
}

std::string Hub::cluster_metrics() const {
  std::string out;
  auto it = std::back_inserter(out);
  auto gauge = [&](std::string_view name, std::string_view help, auto value) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, value);
  };
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
  };
  const auto& redis = cluster_->redis_stats();
  const auto& c = cluster_->counters();
  const auto& bus = cluster_->bus_stats();
  gauge("rrtc_cluster_nodes", "Live nodes in the directory as of the last heartbeat.",
        cluster_->nodes().size());
  gauge("rrtc_cluster_rooms_placed_here", "Rooms running on this node (placed here).",
        registry_.room_count());
  fmt::format_to(it,
                 "# HELP rrtc_cluster_relayed_sessions Relayed sessions: clients of this node in "
                 "rooms of other nodes (client), clients of other nodes in rooms here (room).\n"
                 "# TYPE rrtc_cluster_relayed_sessions gauge\n"
                 "rrtc_cluster_relayed_sessions{{side=\"client\"}} {}\n"
                 "rrtc_cluster_relayed_sessions{{side=\"room\"}} {}\n",
                 client_relays_.size(), room_relays_.size());
  gauge("rrtc_cluster_draining", "1 while this node drains (SIGTERM): it takes no new rooms.",
        draining_ ? 1 : 0);
  gauge("rrtc_cluster_redis_up", "1 while the Redis command connection is ready.",
        cluster_->ready() ? 1 : 0);
  gauge("rrtc_cluster_redis_rtt_seconds", "Round trip of the last Redis PING.",
        std::chrono::duration<double>(redis.last_rtt).count());
  gauge("rrtc_cluster_redis_max_rtt_seconds", "Longest Redis PING round trip seen.",
        std::chrono::duration<double>(redis.max_rtt).count());
  counter("rrtc_cluster_redis_commands_total", "Commands sent to Redis (PINGs included).",
          redis.commands);
  counter("rrtc_cluster_redis_errors_total",
          "Redis commands that failed (unavailable, timeout, lost, error reply).",
          redis.errors + cluster_->bus_redis_stats().errors);
  counter("rrtc_cluster_redis_disconnects_total", "Ready Redis connections lost (both).",
          redis.disconnects + cluster_->bus_redis_stats().disconnects);
  fmt::format_to(it,
                 "# HELP rrtc_cluster_joins_total Joins of this node's clients that asked Redis "
                 "where their room is, by outcome.\n"
                 "# TYPE rrtc_cluster_joins_total counter\n"
                 "rrtc_cluster_joins_total{{outcome=\"local\"}} {}\n"
                 "rrtc_cluster_joins_total{{outcome=\"relayed\"}} {}\n"
                 "rrtc_cluster_joins_total{{outcome=\"refused\"}} {}\n",
                 c.joins_local, c.joins_relayed, c.joins_refused);
  fmt::format_to(it,
                 "# HELP rrtc_cluster_bus_messages_total Relayed signaling envelopes, by "
                 "direction (in also counts client messages forwarded from this node).\n"
                 "# TYPE rrtc_cluster_bus_messages_total counter\n"
                 "rrtc_cluster_bus_messages_total{{direction=\"out\"}} {}\n"
                 "rrtc_cluster_bus_messages_total{{direction=\"in\"}} {}\n",
                 c.messages_out, c.messages_in);
  counter("rrtc_cluster_bus_undelivered_total",
          "Envelopes published to a node that was not listening.", bus.undelivered);
  counter("rrtc_cluster_relay_failures_total",
          "Relayed sessions ended because the room's node left or did not answer.",
          c.relay_failures);
  counter("rrtc_cluster_nodes_gone_total", "Nodes seen leaving the directory.", c.nodes_gone);
  return out;
}

}  // namespace rrtc::signaling
