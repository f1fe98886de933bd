#pragma once
// Two IceTransports joined in memory, for deterministic tests of the layers above ICE (DTLS,
// SRTP, SCTP, Peer, Room) without sockets. Every event (datagram, state change, candidate) is
// queued and delivered in order, either by flush() or through a pluggable scheduler (for
// instance a simulated clock adding latency). A drop hook simulates loss.
//
// Behaviour, mirroring a real agent closely enough for the layers above:
//  - each side announces one host candidate and then gathering-done;
//  - once both sides hold the other's correct credentials they go Checking, then Connected;
//    a wrong password sends both to Failed (checks would fail authentication);
//  - send() only works when Connected; fail() simulates consent loss on both sides;
//  - close() on one side fails the other, as consent loss would after the timeout.
//
// Threading: single-threaded, like the real thing; the scheduler decides where deliveries run.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ice/ice_transport.hpp"

namespace rrtc::ice {

enum class Side { A, B };

class MemoryLink;

class MemoryTransport final : public IceTransport {
 public:
  MemoryTransport(std::shared_ptr<MemoryLink> link, Side side, IceCredentials credentials);
  ~MemoryTransport() override;

  void set_listener(IceTransportListener* listener) override { listener_ = listener; }
  bool send(std::span<const uint8_t> datagram) override;
  CandidateResult add_remote_candidate(std::string_view candidate) override;
  bool set_remote_credentials(const IceCredentials& credentials) override;
  IceCredentials local_credentials() const override { return local_; }
  IceState state() const override { return state_; }
  void close() override;

  // Called by the link when delivering.
  void deliver_datagram(std::vector<uint8_t>& datagram);
  void deliver_state(IceState state);
  void deliver_candidate(const std::string& candidate);
  void deliver_gathering_done();

  bool remote_credentials_match() const;
  bool has_remote_credentials() const { return has_remote_; }
  std::size_t remote_candidate_count() const { return remote_candidates_; }
  bool remote_gathering_done() const { return remote_done_; }

 private:
  friend class MemoryLink;

  std::shared_ptr<MemoryLink> link_;
  Side side_;
  IceTransportListener* listener_ = nullptr;
  IceCredentials local_;
  IceCredentials remote_;
  bool has_remote_ = false;
  bool remote_done_ = false;
  std::size_t remote_candidates_ = 0;
  IceState state_ = IceState::New;
};

class MemoryTransportPair {
 public:
  // Runs a delivery later; the default queues it for flush().
  using Scheduler = std::function<void(std::function<void()>)>;
  // Return true to drop a datagram sent by `from`.
  using DropHook = std::function<bool(Side from, std::span<const uint8_t> datagram)>;

  MemoryTransportPair();
  explicit MemoryTransportPair(Scheduler scheduler);
  ~MemoryTransportPair();

  // The transports, to hand to their owners (each exactly once). The link outlives them.
  std::unique_ptr<MemoryTransport> take(Side side);

  // Delivers queued events, including those queued by the deliveries themselves, until the
  // queue is empty or `max_events` ran. Returns the number delivered. Only for the default
  // scheduler.
  std::size_t flush(std::size_t max_events = 100000);

  void set_drop_hook(DropHook hook);
  // Consent lost: both sides go Failed.
  void fail();

  std::size_t datagrams_sent(Side from) const;
  std::size_t datagrams_dropped(Side from) const;

 private:
  std::shared_ptr<MemoryLink> link_;
  std::unique_ptr<MemoryTransport> a_;
  std::unique_ptr<MemoryTransport> b_;
};

}  // namespace rrtc::ice
