#pragma once
// A Lua script run atomically by Redis (EVALSHA, falling back to EVAL once when Redis answers
// NOSCRIPT: after a restart or SCRIPT FLUSH). EVALSHA sends 40 bytes instead of the script, so
// steady-state traffic per call is the keys and arguments only.
//
// The cluster's scripts reach keys they compute from their arguments (a node's hash from its
// id); that is fine on one Redis (or Sentinel) and not allowed on Redis Cluster, which rrtc does
// not support (docs/cluster.md).

#include <string>
#include <vector>

#include "cluster/redis_client.hpp"

namespace rrtc::cluster {

class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& sha1() const noexcept { return sha1_; }
  const std::string& source() const noexcept { return source_; }

  // Runs the script with `keys` and `args` on `client`; the handler gets its reply. The script
  // object must outlive the call (the cluster's scripts are function-local statics).
  void run(RedisClient& client, std::vector<std::string> keys, std::vector<std::string> args,
           RedisClient::ReplyHandler handler) const;

 private:
  std::string source_;
  std::string sha1_;  // lower-case hex
};

}  // namespace rrtc::cluster
