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
// Media beside libnice: once a plain UDP pair is selected, its RTP and RTCP are read by a
// MediaSocket (ice/media_socket.hpp), up to 32 datagrams per recvmmsg, and only those from the
// selected remote reach the listener; the kernel keeps steering STUN, DTLS and TURN framing to
// libnice's socket, so consent, checks and DTLS go through libnice as before. Relayed and TCP
// pairs, and kernels that refuse the steering, are read through libnice only.
//
// Failure: before Connected, component FAILED (every pair failed) is reported as
// IceState::Failed, once; the transport then stays Failed. After Connected, libnice's FAILED
// only means no answer to its consent checks for 10 s (libnice 0.1.21 neither retransmits them
// nor lets consent come back): ConsentFreshness decides. A 403 (the peer revoked consent) or
// 30 s without any answer or datagram (RFC 7675) is reported as Failed, with failure_reason();
// anything shorter re-arms libnice's checks on the same pair (nice_agent_set_selected_pair,
// whose state signals are swallowed) and media goes on. See ice/consent_freshness.hpp.
//
// Closing: close() revokes consent (nice_agent_consent_lost): the agent sends no more data and
// answers the peer's consent checks with 403, so a peer still there fails within one consent
// interval (measured 4.4-5.7 s) instead of the 10 s timeout. Destruction then frees the TURN
// allocations asynchronously (nice_agent_close_async) before the agent goes; agents_alive()
// counts agents still closing.
//
// Threading: as IceTransport. The loop must be the one the owning worker runs (or one whose
// context a test iterates); libnice attaches its sockets and timers to its context, ours (the
// consent timer) are the loop's and the media socket is in the context's epoll set. Listener
// callbacks other than on_datagram are queued by noexcept trampolines and delivered from an idle
// source on that context. The listener must not destroy the transport from inside a callback
// (close() it and free it later).

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ice/consent_freshness.hpp"
#include "ice/ice_options.hpp"
#include "ice/ice_transport.hpp"
#include "ice/media_socket.hpp"
#include "io/glib_loop.hpp"
#include "io/readable_set.hpp"
#include "io/side_context.hpp"
#include "time/media_time.hpp"

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
  // Creates the agent on a GLib context of its own, which `loop` iterates when the agent has
  // something to do (io/side_context.hpp), and starts gathering; candidates follow through the
  // listener. nullptr when libnice refuses the configuration (logged). The consent timer is one
  // of the loop's timers (io/glib_loop.hpp: one GLib source for all of them).
  static std::unique_ptr<NiceTransport> create(io::GlibLoop& loop, const IceConfig& config,
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
  std::string_view failure_reason() const override { return failure_reason_; }
  void close() override;

  // Whether send() currently writes straight to the selected pair's UDP socket (see
  // DirectPath); false before Connected, after Failed or Closed, and for relayed pairs.
  bool sends_directly() const noexcept { return direct_.fd >= 0; }
  std::optional<DirectRoute> direct_route() const noexcept override;
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

  // Whether the selected pair's RTP and RTCP are read beside libnice, many per recvmmsg (see
  // ice/media_socket.hpp): a plain UDP pair, and the kernel took the steering program.
  bool reads_media_directly() const noexcept { return media_ != nullptr; }
  // What the media socket read: recvmmsg calls that returned datagrams, the datagrams, and
  // those dropped (not from the selected remote, truncated, or not RTP/RTCP).
  struct MediaReads {
    uint64_t calls = 0;
    uint64_t datagrams = 0;
    uint64_t dropped = 0;
  };
  MediaReads media_reads() const noexcept { return media_reads_; }

  // Agents not yet fully released (their TURN allocations are freed asynchronously after the
  // transport is destroyed). A worker spins its loop until this reaches zero before destroying
  // its context. Thread-safe.
  static int agents_alive() noexcept;

  // Process-wide consent counters (for /metrics), thread-safe: libnice consent windows that
  // ended without an answer and were re-armed, and connected transports that failed because
  // consent expired (30 s, RFC 7675) or was revoked (403).
  struct ConsentCounters {
    uint64_t rearmed = 0;
    uint64_t expired = 0;
    uint64_t revoked = 0;
  };
  static ConsentCounters consent_counters() noexcept;

  // What the receive callback points at. The agent outlives its transport while libnice
  // releases the TURN allocations, its sockets still read (so the server's answers arrive);
  // this indirection tells the callback the transport is gone.
  struct RecvTarget {
    NiceTransport* owner;
    io::SideContext* context = nullptr;  // the agent's, from destruction on
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
  // libnice declared a connected component FAILED: consent checks unanswered for 10 s, or 403.
  struct ChecksFailed {};
  using Event = std::variant<LocalCandidate, StateChange, GatheringDone, ChecksFailed>;

  NiceTransport(io::GlibLoop& loop, const IceConfig& config, IceTransportListener* listener);
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
  // The direct path and the media socket follow the selected pair; clearing drops both.
  void refresh_direct_path() noexcept;
  void clear_direct_path() noexcept;
  void release_direct_socket() noexcept;

  // The media socket (nice_transport_media.cpp): opened on the direct path's socket, kept while
  // that socket stays selected, closed otherwise.
  void sync_media_socket() noexcept;
  void close_media_socket() noexcept;
  static void on_media_readable(void* self) noexcept;
  void read_media() noexcept;
  // `from` is the selected pair's remote or another remote candidate libnice knows (the peer
  // may send on another valid pair than the one selected here: Chromium does).
  bool known_remote(const sockaddr_storage& from) noexcept;

  // Consent (nice_transport_consent.cpp). Each returns true when the transport just failed:
  // the caller reports Failed to the listener.
  bool on_checks_failed() noexcept;
  bool on_missed_window() noexcept;
  bool on_consent_timer() noexcept;
  // libnice's own consent flag (nice_agent_send refuses to send without it).
  bool libnice_consent_lost() noexcept;
  void on_consent_timer_fired() noexcept;
  bool apply_consent_verdict(ConsentVerdict verdict) noexcept;
  bool rearm_consent_checks() noexcept;
  void schedule_consent_timer() noexcept;
  void cancel_consent_timer() noexcept;
  // Failed after Connected: no more sends, no more datagrams.
  void fail_connected(std::string reason) noexcept;

  io::GlibLoop& loop_;
  // The agent's own context (io/side_context.hpp), poked after each libnice call that may arm a
  // timer or attach a source. Handed to on_agent_closed at destruction.
  std::unique_ptr<io::SideContext> libnice_;
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
  std::unique_ptr<MediaSocket> media_;
  // In the worker's one epoll set of media sockets (io/readable_set.hpp); after media_, so it
  // stops watching before the socket closes.
  io::ReadableWatch media_watch_;
  uint64_t media_generation_ = 0;  // changes whenever media_ does: a reader notices mid-batch
  MediaReads media_reads_;
  // Other remotes media came from that libnice lists as remote candidates; looked up at most
  // once per kRemoteLookupInterval (the lookup copies libnice's list).
  std::array<sockaddr_storage, 4> other_remotes_{};
  std::size_t other_remotes_count_ = 0;
  time::Timestamp last_remote_lookup_{};
  io::SendRing* ring_ = nullptr;
  ConsentFreshness consent_;
  // When the last datagram from the selected pair arrived (CLOCK_MONOTONIC_COARSE: a few ns
  // per datagram, within 4 ms; the same clock as the steady clock).
  time::Timestamp last_inbound_{};
  io::TimerHandle consent_timer_;
  bool rearming_ = false;  // inside nice_agent_set_selected_pair: its state signals are ours
  // libnice's component went FAILED while its consent held (see on_checks_failed): it signals
  // no more state changes, so its consent flag is polled every kConsentPoll.
  bool polling_ = false;
  std::string failure_reason_;
};

}  // namespace rrtc::ice
