// Admission of TCP connections: the whole-server and per-address counts behind
// max_connections and max_connections_per_ip, and the ConnectionSlot that holds one place;
// admission of joins: the join token.
#include "signaling/hub.hpp"
#include "signaling/jwt.hpp"

namespace rrtc::signaling {

ConnectionSlot::ConnectionSlot(std::shared_ptr<Hub> hub, const IpAddress& peer, bool via_proxy)
    : hub_(std::move(hub)), peer_(peer), address_(peer.to_string()), via_proxy_(via_proxy) {
  // A direct client counts against its own address at once; a proxy's connection waits for the
  // request that names its client.
  counted_ = !via_proxy_;
}

ConnectionSlot::~ConnectionSlot() {
  if (!hub_) return;  // moved from
  if (counted_) hub_->release_address(address_);
  hub_->release_connection();
}

bool ConnectionSlot::rebind(const IpAddress& client) {
  std::string address = client.to_string();
  if (counted_ && address == address_) return true;
  if (counted_) hub_->release_address(address_);
  address_ = std::move(address);
  counted_ = hub_->count_address(address_);
  return counted_;
}

std::optional<ConnectionSlot> Hub::admit(const IpAddress& peer, Refusal& refusal) {
  if (connection_count_ >= options_.max_connections) {
    refusal = Refusal::server_full;
    metrics_.connection_refused("server_full");
    log_limited("refused_server_full", "refusing a connection from {}: {} open (max_connections)",
                peer.to_string(), connection_count_);
    return std::nullopt;
  }
  bool via_proxy = trusted_proxies_.contains(peer);
  if (!via_proxy && !count_address(peer.to_string())) {
    refusal = Refusal::per_ip;
    metrics_.connection_refused("per_ip");
    log_limited("refused_per_ip",
                "refusing a connection from {}: {} open from that address "
                "(max_connections_per_ip)",
                peer.to_string(), options_.max_connections_per_ip);
    return std::nullopt;
  }
  ++connection_count_;
  std::optional<ConnectionSlot> slot;
  slot.emplace(shared_from_this(), peer, via_proxy);
  return slot;
}

bool Hub::count_address(const std::string& address) {
  std::size_t& count = connections_per_address_[address];
  if (count >= options_.max_connections_per_ip) {
    if (count == 0) connections_per_address_.erase(address);
    return false;
  }
  ++count;
  return true;
}

void Hub::release_address(const std::string& address) {
  auto it = connections_per_address_.find(address);
  if (it == connections_per_address_.end()) return;
  if (--it->second == 0) connections_per_address_.erase(it);
}

bool Hub::check_token(ClientSession& session, const JoinMessage& join,
                      std::string& participant) {
  if (options_.join_secret.empty()) return true;
  if (!join.token) {
    send_error(session, ErrorCode::unauthorized, "join token required");
    return false;
  }
  JwtResult verdict =
      verify_hs256(*join.token, options_.join_secret, std::chrono::system_clock::now());
  if (!verdict.claims) {
    send_error(session, ErrorCode::unauthorized, jwt_error_text(verdict.error));
    return false;
  }
  if (verdict.claims->room != join.room) {
    send_error(session, ErrorCode::unauthorized, "join token is for another room");
    return false;
  }
  if (verdict.claims->subject) {
    if (join.participant && *join.participant != *verdict.claims->subject) {
      send_error(session, ErrorCode::unauthorized, "join token is for another participant");
      return false;
    }
    participant = *verdict.claims->subject;
  }
  return true;
}

}  // namespace rrtc::signaling
