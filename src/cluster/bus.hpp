#pragma once
// The bus: relayed signaling between nodes over Redis pub/sub. Each node subscribes to its own
// channel, <prefix>bus:<node id>, on a dedicated subscriber connection, and publishes to another
// node's channel on its command connection. One relayed message is one PUBLISH; its wire form
// is the envelope (envelope.hpp).
//
// Delivery is Redis pub/sub's: at most once, in order between two nodes (one publisher
// connection, one subscriber connection), nothing kept for a node that is not subscribed at that
// moment. send() reports how many subscribers received the message: 0 means the target node is
// not listening (dead, or reconnecting to Redis), which the relay turns into an error for the
// client (the Hub integration, docs/cluster.md).
//
// Threading: the RedisClients' io_context thread; both clients must share it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cluster/envelope.hpp"
#include "cluster/redis_client.hpp"

namespace rrtc::cluster {

struct BusStats {
  std::uint64_t sent = 0;           // PUBLISH answered with at least one receiver
  std::uint64_t undelivered = 0;    // PUBLISH answered 0 receivers
  std::uint64_t send_failures = 0;  // PUBLISH failed (Redis unavailable, timeout)
  std::uint64_t received = 0;       // envelopes for this node handed to the handler
  std::uint64_t malformed = 0;      // messages on our channel that are no envelope
  std::uint64_t misaddressed = 0;   // envelopes for another node (a shared channel name)
};

class Bus {
 public:
  // One envelope for this node; its views die when the handler returns.
  using Handler = std::function<void(const Envelope&)>;
  // The PUBLISH outcome: reply.ok() and delivered > 0 when the target node got it.
  using SendHandler = std::function<void(const RedisReply& reply, std::int64_t delivered)>;

  // `publisher`: the command connection; `subscriber`: a connection of its own, subscribed by
  // start() (it can carry nothing else from then on).
  Bus(RedisClient& publisher, RedisClient& subscriber, std::string node_id,
      std::string prefix = "rrtc:");

  // Subscribes to this node's channel (now if connected, and after every reconnection).
  void start(Handler handler);

  // Publishes `envelope` to envelope.to's channel; envelope.from must be this node. false (and
  // no call) when the envelope cannot be serialized (a bad id).
  bool send(const Envelope& envelope, SendHandler done = {});

  const BusStats& stats() const noexcept { return stats_; }
  const std::string& node_id() const noexcept { return node_id_; }
  static std::string channel(const std::string& prefix, std::string_view node_id);

 private:
  RedisClient& publisher_;
  RedisClient& subscriber_;
  std::string node_id_;
  std::string prefix_;
  Handler handler_;
  BusStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rrtc::cluster
