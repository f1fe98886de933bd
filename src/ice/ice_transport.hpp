#pragma once
// The narrow interface the Peer (transport layer) uses to reach ICE: send a datagram, receive
// datagrams, state changes and local candidates. NiceTransport implements it over libnice;
// MemoryTransportPair implements it in memory for deterministic tests of the layers above.
//
// Threading contract: an IceTransport belongs to one media worker. Every method is called, and
// every listener callback runs, on that worker's thread (the GLib context the transport was
// created on). Nothing here is thread-safe; other threads post closures to the worker.
//
// Re-entrancy contract: the transport never calls the listener from inside one of its own
// methods, so a listener may call back into the transport (send, close) from any callback.
// on_datagram is the only callback a listener may receive on the hot path; it must not throw.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rrtc::ice {

enum class IceState {
  New,        // created; gathering may be under way, no checks yet
  Checking,   // connectivity checks running
  Connected,  // a pair is validated and selected: datagrams flow
  Failed,     // every pair failed, or consent (RFC 7675) was lost: the peer is gone
  Closed,     // close() was called
};

const char* to_string(IceState state) noexcept;

// The ICE username fragment and password (RFC 8445 section 5.3, "a=ice-ufrag" / "a=ice-pwd").
struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

enum class CandidateResult {
  Added,            // the candidate was accepted (it may wait for the remote credentials)
  EndOfCandidates,  // the empty string: the remote side finished gathering
  Malformed,        // not an RFC 8839 section 5.1 candidate line libnice can use
  WrongComponent,   // component other than 1: we require rtcp-mux and BUNDLE
  TooMany,          // the per-peer bound on remote candidates is reached
  Closed,           // the transport is closed
};

const char* to_string(CandidateResult result) noexcept;

// RFC 8839 section 5.4: ice-ufrag = 4*256ice-char, ice-pwd = 22*256ice-char.
bool valid_credentials(const IceCredentials& credentials) noexcept;

class IceTransportListener {
 public:
  // One received datagram (DTLS, RTP or RTCP; STUN stays inside ICE), only from the pair ICE
  // validated. The buffer is mutable so the receiver can decrypt in place; it is valid only
  // during the call.
  virtual void on_datagram(std::span<uint8_t> datagram) noexcept = 0;
  virtual void on_state(IceState state) = 0;
  // A local candidate for trickle, as RTCIceCandidate.candidate: "candidate:..." without "a=".
  virtual void on_local_candidate(std::string candidate) = 0;
  // Gathering finished: signal end-of-candidates to the remote side.
  virtual void on_gathering_done() = 0;

 protected:
  ~IceTransportListener() = default;
};

class IceTransport {
 public:
  virtual ~IceTransport() = default;

  // Where events go. Set it before control returns to the worker's loop: events are delivered
  // from the loop, never from inside a method, and events found without a listener are dropped.
  // The listener must outlive the transport or be replaced with nullptr first.
  virtual void set_listener(IceTransportListener* listener) = 0;

  // Sends one datagram on the selected pair. False when not connected or the socket refused it
  // (the datagram is dropped, as UDP would).
  virtual bool send(std::span<const uint8_t> datagram) = 0;

  // A remote candidate, "candidate:..." with or without the "a=" prefix; an empty string means
  // end-of-candidates (RFC 8838 section 8.2). Candidates received before the remote
  // credentials are kept and applied once they arrive.
  virtual CandidateResult add_remote_candidate(std::string_view candidate) = 0;

  // False (and ignored) unless ufrag is 4-256 and pwd 22-256 ice-chars (RFC 8839 section 5.4).
  virtual bool set_remote_credentials(const IceCredentials& credentials) = 0;
  virtual IceCredentials local_credentials() const = 0;

  virtual IceState state() const = 0;
  // The selected pair's own UDP socket and the remote address, while send() writes there with
  // sendto(2) (a plain UDP pair, connected, consent held); nullptr otherwise. Valid until the
  // worker's loop runs again (a new pair, a failure or close() changes it). Lets another thread
  // send protected RTP for this transport (engine/egress_offload.hpp); nothing else uses it.
  struct DirectRoute {
    int fd = -1;
    const sockaddr* to = nullptr;
    socklen_t to_length = 0;
  };
  virtual std::optional<DirectRoute> direct_route() const noexcept { return std::nullopt; }
  // Why the transport went Failed, when it knows better than "ICE failed" (consent expired or
  // revoked); empty otherwise.
  virtual std::string_view failure_reason() const { return {}; }

  // Final: sends no more data, delivers nothing more but on_state(Closed) (later, from the
  // loop, unless the transport is destroyed first), and lets the peer know consent is gone.
  // Idempotent. Owners close in a callback and destroy at the end of the loop iteration.
  virtual void close() = 0;
};

}  // namespace rrtc::ice
