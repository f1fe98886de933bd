#pragma once
// What the Hub needs of one client: a WebSocket connected to this node (WebSocketSession), or,
// in cluster mode, a client connected to another node whose signaling that node relays here
// because the room lives on this node (RelayedSession, docs/cluster.md). The Hub's room logic
// runs the same for both.
//
// Threading: the signaling io_context's thread, like the Hub.

#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace rrtc::signaling {

class ClientSession {
 public:
  struct Membership {
    std::string room;
    std::string participant;
  };

  virtual ~ClientSession() = default;

  // Queues a text message for the client.
  virtual void send(std::shared_ptr<const std::string> text) = 0;
  // Sends what is queued, then ends the session with `code`. Nothing more is sent.
  virtual void close(boost::beast::websocket::close_code code) = 0;
  // Ends the session at once.
  virtual void drop(std::string_view reason) = 0;
  // The session joined a room, so the join deadline no longer applies.
  virtual void joined() = 0;
  // One more `error` reply at `now`. True when that makes more than max_protocol_errors
  // within protocol_error_window (the caller closes); false once a close is under way.
  virtual bool count_protocol_error(std::chrono::steady_clock::time_point now) = 0;
  virtual std::uint64_t id() const = 0;
  // For logs: the client address, or "relay:<node>" for a relayed session.
  virtual const std::string& address() const = 0;
  // True for a session relayed from another node: its join is for a room placed on this node,
  // so it is joined here without asking Redis.
  virtual bool relayed() const { return false; }

  // Set by Hub while the session is in a room on this node.
  std::optional<Membership> membership;
};

}  // namespace rrtc::signaling
