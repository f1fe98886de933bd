#pragma once
// IceTransport over a libnice 0.1.21 agent: RFC 5245/8445 full ICE with trickle (RFC 8838) and
// consent freshness (RFC 7675), one stream with one component (BUNDLE + rtcp-mux).
//
// Candidates: host candidates on IceConfig::local_addresses (nice_agent_add_local_address, which
// is also the only way libnice offers a loopback candidate) or, when that list is empty, on every
// non-loopback interface; server-reflexive through the STUN server; relayed through the TURN
// server over UDP, TCP or TLS. ICE-TCP (RFC 6544) candidates are not gathered: browsers reach
// the server over UDP, or through TURN/TCP when UDP is blocked.
//
// public_ip (1:1 NAT): every host candidate is announced with the public address *instead of*
// the local one, port unchanged, like mediasoup's announced address. Checks from the peer reach
// the local socket through the NAT, so nothing else changes.
//
// Which bytes reach the listener: libnice keeps STUN to itself, and drops data whose source is
// not a remote candidate that passed a connectivity check ("DROPPING packet from unknown
// source"). On top of that we drop everything until the component is CONNECTED or READY, so
// DTLS, SRTP and SCTP only ever see bytes from the pair ICE validated.
//
// Failure: component FAILED (every pair failed, or consent expired: libnice 0.1.21 sends a
// consent check every ~5 s and marks the component FAILED once no response came for ~10 s;
// measured on loopback: a vanished peer is detected after 10.0 s) is reported as
// IceState::Failed, once; the transport then stays Failed.
//
// Closing: close() revokes consent (nice_agent_consent_lost): the agent sends no more data and
// answers the peer's consent checks with 403, so a peer still there fails within one consent
// interval (measured 4.4-5.7 s) instead of the 10 s timeout. Destruction then frees the TURN
// allocations asynchronously (nice_agent_close_async) before the agent goes; agents_alive()
// counts agents still closing.
//
// Threading: as IceTransport. The GMainContext must be the one the owning worker runs (or the
// one a test iterates); libnice attaches its sockets and timers there. Listener callbacks other
// than on_datagram are queued by noexcept trampolines and delivered from an idle source on that
// context. The listener must not destroy the transport from inside a callback (close() it and
// free it later).

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ice/ice_options.hpp"
#include "ice/ice_transport.hpp"

typedef struct _NiceAgent NiceAgent;
typedef struct _NiceCandidate NiceCandidate;
typedef struct _GMainContext GMainContext;
typedef struct _GSource GSource;
typedef struct _GSocket GSocket;

namespace rrtc::io {
class SendRing;
}

namespace rrtc::ice {

// Bounds on what one peer can make us hold.
inline constexpr std::size_t kMaxRemoteCandidates = 64;

class NiceTransport final : public IceTransport {
 public:
  // Creates the agent on `context` and starts gathering; candidates follow through the
  // listener. nullptr when libnice refuses the configuration (logged).
  static std::unique_ptr<NiceTransport> create(GMainContext* context, const IceConfig& config,
                                               IceTransportListener* listener = nullptr);
  ~NiceTransport() override;
  NiceTransport(const NiceTransport&) = delete;
  NiceTransport& operator=(const NiceTransport&) = delete;

  void set_listener(IceTransportListener* listener) override { listener_ = listener; }
  bool send(std::span<const uint8_t> datagram) override;
  CandidateResult add_remote_candidate(std::string_view candidate) override;
  bool set_remote_credentials(const IceCredentials& credentials) override;
  IceCredentials local_credentials() const override;
  IceState state() const override { return state_; }
  void close() override;

  // Whether send() currently writes straight to the selected pair's UDP socket (see
  // DirectPath); false before Connected, after Failed or Closed, and for relayed pairs.
  bool sends_directly() const noexcept { return direct_.fd >= 0; }
  // The worker's io_uring (nullable): while one of its Batches is open, direct sends are
  // queued there and leave together when it closes. It must outlive the transport.
  void set_send_ring(io::SendRing* ring) noexcept { ring_ = ring; }

  // The pair ICE selected, for diagnostics and tests; nullopt before Connected.
  struct SelectedPair {
    std::string local_type;  // "host", "srflx", "prflx", "relay"
    std::string local_ip;
    uint16_t local_port = 0;
    std::string remote_type;
    std::string remote_ip;
    uint16_t remote_port = 0;
  };
  std::optional<SelectedPair> selected_pair() const;
  // Datagrams dropped because they arrived before ICE validated a pair.
  uint64_t dropped_before_connected() const noexcept { return dropped_before_connected_; }

  // Agents not yet fully released (their TURN allocations are freed asynchronously after the
  // transport is destroyed). A worker spins its loop until this reaches zero before destroying
  // its context. Thread-safe.
  static int agents_alive() noexcept;

  // What the receive callback points at. The agent outlives its transport while libnice
  // releases the TURN allocations, its sockets still read (so the server's answers arrive);
  // this indirection tells the callback the transport is gone.
  struct RecvTarget {
    NiceTransport* owner;
  };

 private:
  // The selected pair's own UDP socket and remote address. nice_agent_send costs ~2 µs per
  // datagram on top of the kernel (agent mutex, component lookup, GSocketAddress conversion,
  // GIO's send wrapper: perf, 78k packets/s); sendto(2) on the same socket sends the same bytes
  // from the same address. Only for pairs whose local side is a plain UDP socket: libnice returns
  // no socket for relayed (TURN-framed) or TCP pairs, and those keep going through the agent.
  // Refreshed whenever libnice selects a pair; the GSocket reference keeps the fd's owner alive.
  struct DirectPath {
    GSocket* socket = nullptr;  // owned reference
    int fd = -1;
    sockaddr_storage to{};
    socklen_t to_length = 0;
  };

  struct LocalCandidate {
    std::string line;
  };
  struct StateChange {
    IceState state;
  };
  struct GatheringDone {};
  using Event = std::variant<LocalCandidate, StateChange, GatheringDone>;

  NiceTransport(GMainContext* context, const IceConfig& config, IceTransportListener* listener);
  bool setup(const IceConfig& config);
  void record(Event event) noexcept;
  void dispatch_events();
  void dispatch_events_guarded() noexcept;
  void apply_remote_candidates();

  static void on_new_candidate(NiceAgent* agent, NiceCandidate* candidate, void* self) noexcept;
  static void on_gathering_done(NiceAgent* agent, unsigned stream, void* self) noexcept;
  static void on_component_state(NiceAgent* agent, unsigned stream, unsigned component,
                                 unsigned state, void* self) noexcept;
  static void on_receive(NiceAgent* agent, unsigned stream, unsigned component, unsigned length,
                         char* buffer, void* target) noexcept;
  static int on_dispatch(void* self) noexcept;
  static void on_selected_pair(NiceAgent* agent, unsigned stream, unsigned component,
                               NiceCandidate* local, NiceCandidate* remote, void* self) noexcept;
  void refresh_direct_path() noexcept;
  void clear_direct_path() noexcept;

  GMainContext* context_;
  NiceAgent* agent_ = nullptr;
  unsigned stream_id_ = 0;
  IceTransportListener* listener_;
  std::string public_ip_;
  IceState state_ = IceState::New;
  bool nice_connected_ = false;  // libnice's own view, updated synchronously in the trampoline
  bool closed_ = false;
  bool has_remote_credentials_ = false;
  bool remote_end_of_candidates_ = false;
  std::size_t remote_candidates_ = 0;
  std::vector<NiceCandidate*> pending_remote_;  // owned; waiting for the remote credentials
  std::vector<Event> events_;
  GSource* dispatch_source_ = nullptr;
  RecvTarget* recv_target_ = nullptr;  // handed to on_agent_closed at destruction
  uint64_t dropped_before_connected_ = 0;
  DirectPath direct_;
  io::SendRing* ring_ = nullptr;
};

}  // namespace rrtc::ice
