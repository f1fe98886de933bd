#pragma once
// Cluster mode (docs/cluster.md): what the node a client is connected to must know about a
// relayed session whose room lives on another node. That node answers the client verbatim, so
// this node sees every server message go by; it keeps only who is in the room, so that when the
// room's node dies it can tell the client `participant_left` for each of them before the
// `error` that asks it to join again. Pure: messages in, ids out.

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rrtc::signaling {

// The `type` of a server message. Our own messages start with {"type":"...", so that is read
// without parsing; anything else is parsed. Empty when there is no string `type`.
std::string message_type(std::string_view json);

class RelayRoster {
 public:
  // One server -> client message of the session. Returns its type (message_type()).
  std::string observe(std::string_view server_message);

  bool joined() const { return !your_id_.empty(); }
  const std::string& your_id() const { return your_id_; }
  // The others in the room, sorted.
  const std::set<std::string>& others() const { return others_; }

 private:
  std::string your_id_;
  std::set<std::string> others_;
};

// Which nodes left the cluster, from the node directory's successive listings. A listing read
// just after the Redis connection came back (a Redis restart loses every node's entry until its
// next heartbeat) misses live nodes, so departures count only once the connection has been up
// for a whole node TTL: every live node has heartbeated by then.
class NodeLiveness {
 public:
  using Clock = std::chrono::steady_clock;

  explicit NodeLiveness(Clock::duration ttl) : ttl_(ttl) {}

  // The Redis connection became ready at `now`.
  void connected(Clock::time_point now) { connected_at_ = now; }
  // A listing of the live node ids at `now`: the ids seen alive before that are not in it, once
  // they can be trusted (see above); until then the listing only adds ids.
  std::vector<std::string> update(const std::vector<std::string>& live, Clock::time_point now);

  bool known(const std::string& id) const { return known_.count(id) != 0; }

 private:
  Clock::duration ttl_;
  Clock::time_point connected_at_{};
  std::set<std::string> known_;
};

}  // namespace rrtc::signaling
