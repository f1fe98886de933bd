#pragma once
// IceTransports joined in memory, for deterministic tests of the layers above ICE (DTLS, SRTP,
// SCTP, Peer, Room) without sockets. Two MemoryTransports share a MemoryMedium, which carries
// their datagrams and decides when each event reaches a side: MemoryTransportPair (here) queues
// every event in order for flush() or a pluggable scheduler; the simulated network
// (sim_network.hpp) delays them on a simulated clock, with loss, jitter and a bandwidth cap.
//
// Behaviour, mirroring a real agent closely enough for the layers above:
//  - each side announces one host candidate and then gathering-done;
//  - once both sides hold the other's correct credentials they go Checking, then (after the
//    medium's check duration) Connected; a wrong password sends both to Failed (checks would
//    fail authentication);
//  - send() only works when Connected; fail() simulates consent loss on both sides;
//  - close() on one side fails the other after the medium's consent timeout, as consent loss
//    would.
// Events are never delivered from inside a transport method, only from the medium's queue.
//
// Threading: single-threaded, like the real thing; the medium decides where deliveries run.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ice/ice_transport.hpp"
#include "time/media_time.hpp"

namespace rrtc::ice {

enum class Side { A, B };

inline Side other_side(Side side) noexcept { return side == Side::A ? Side::B : Side::A; }
inline std::size_t side_index(Side side) noexcept { return side == Side::A ? 0 : 1; }

class MemoryTransport;

// What joins two MemoryTransports. The ICE rules live here once; a medium chooses how events
// travel (defer) and how datagrams do (transmit). Owned through std::shared_ptr: queued events
// hold it weakly and are skipped once it, or their target transport, is gone.
class MemoryMedium : public std::enable_shared_from_this<MemoryMedium> {
 public:
  virtual ~MemoryMedium() = default;

  // Called by the transports.
  void attach(Side side, MemoryTransport* endpoint) { endpoints_[side_index(side)] = endpoint; }
  MemoryTransport* endpoint(Side side) const { return endpoints_[side_index(side)]; }
  // One datagram from a Connected side: the medium delivers it (or not) with deliver_datagram().
  virtual void transmit(Side from, std::span<const uint8_t> datagram) = 0;
  // Announces the side's candidate, then gathering-done.
  void gather(Side side, std::string candidate);
  // Runs the "checks" once both sides hold remote credentials.
  void credentials_set();
  // The side closed: it sees Closed, its peer loses consent after consent_timeout().
  void closed(Side side, bool was_live);
  // Consent lost: both sides go Failed.
  void fail();

 protected:
  // How long connectivity checks take (Checking -> Connected or Failed), and how long a side
  // whose peer closed takes to notice. Zero for the in-order pair.
  virtual time::Duration check_duration() const { return {}; }
  virtual time::Duration consent_timeout() const { return {}; }
  // Runs `event` after `delay`; the in-order pair ignores the delay and keeps the order of calls.
  virtual void defer(time::Duration delay, std::function<void()> event) = 0;
  // Runs fn(endpoint) after `delay`, unless the medium or the endpoint at `to` is gone by then.
  void deliver(Side to, time::Duration delay, std::function<void(MemoryTransport&)> fn);

 private:
  std::array<MemoryTransport*, 2> endpoints_{};
  bool checked_ = false;
};

class MemoryTransport final : public IceTransport {
 public:
  // Joins `medium` as `side` and starts "gathering": `candidate` then gathering-done follow.
  MemoryTransport(std::shared_ptr<MemoryMedium> medium, Side side, IceCredentials credentials,
                  std::string candidate);
  ~MemoryTransport() override;
  MemoryTransport(const MemoryTransport&) = delete;
  MemoryTransport& operator=(const MemoryTransport&) = delete;

  void set_listener(IceTransportListener* listener) override { listener_ = listener; }
  bool send(std::span<const uint8_t> datagram) override;
  CandidateResult add_remote_candidate(std::string_view candidate) override;
  bool set_remote_credentials(const IceCredentials& credentials) override;
  IceCredentials local_credentials() const override { return local_; }
  IceState state() const override { return state_; }
  void close() override;

  // Called by the medium when delivering.
  void deliver_datagram(std::vector<uint8_t>& datagram);
  void deliver_state(IceState state);
  void deliver_closed();
  void deliver_candidate(const std::string& candidate);
  void deliver_gathering_done();

  bool remote_credentials_match() const;
  bool has_remote_credentials() const { return has_remote_; }
  std::size_t remote_candidate_count() const { return remote_candidates_; }
  bool remote_gathering_done() const { return remote_done_; }

 private:
  std::shared_ptr<MemoryMedium> medium_;
  Side side_;
  IceTransportListener* listener_ = nullptr;
  IceCredentials local_;
  IceCredentials remote_;
  bool has_remote_ = false;
  bool remote_done_ = false;
  std::size_t remote_candidates_ = 0;
  IceState state_ = IceState::New;
};

class MemoryLink;

// Two MemoryTransports whose events are delivered in the order they happen, with no notion of
// time: by flush(), or through a scheduler (for instance an event loop's post()).
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
