#pragma once
// Cluster mode (docs/cluster.md): on the room's node, a client connected to another node. That
// node relays the client's messages here over the bus; this session sends the Hub's replies
// back the same way, so the Hub's room logic runs as for a local WebSocket. The client's own
// socket, its size and rate limits and its join deadline stay on the node it is connected to.
//
// Session ids on the bus: the client's node names the session "c<n>" (its own session id n),
// the room's node answers on "r<n>", so a node tells a reply to its client apart from a
// message of another node's client whatever ids the two nodes picked.
//
// Threading: the signaling io_context's thread. Lifetime: held by the Hub (room_relays_) until
// the session ends; close() and drop() hand the end to the Hub, which erases it later, not
// while a caller still holds the reference.

#include <memory>
#include <string>

#include "signaling/client_session.hpp"
#include "signaling/error_window.hpp"

namespace rrtc::signaling {

class Hub;

class RelayedSession final : public ClientSession {
 public:
  RelayedSession(std::weak_ptr<Hub> hub, std::string origin, std::string number, std::uint64_t id,
                 ErrorWindow errors)
      : hub_(std::move(hub)),
        origin_(std::move(origin)),
        number_(std::move(number)),
        id_(id),
        address_("relay:" + origin_),
        errors_(std::move(errors)) {}

  void send(std::shared_ptr<const std::string> text) override;
  void close(boost::beast::websocket::close_code code) override;
  void drop(std::string_view reason) override;
  // The join deadline is the client's node's.
  void joined() override {}
  bool count_protocol_error(std::chrono::steady_clock::time_point now) override {
    return !ended_ && errors_.add(now);
  }
  std::uint64_t id() const override { return id_; }
  const std::string& address() const override { return address_; }
  bool relayed() const override { return true; }

  // The client's node, and the session's number there (bus ids "c<n>" / "r<n>").
  const std::string& origin() const { return origin_; }
  const std::string& number() const { return number_; }
  bool ended() const { return ended_; }
  // The session ended without telling the client's node (it left, or it told us).
  void mark_ended() { ended_ = true; }

 private:
  std::weak_ptr<Hub> hub_;
  std::string origin_;
  std::string number_;
  std::uint64_t id_;
  std::string address_;
  ErrorWindow errors_;
  bool ended_ = false;
};

}  // namespace rrtc::signaling
