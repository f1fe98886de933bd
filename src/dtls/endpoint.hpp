#pragma once
// A sans-IO DTLS 1.2 endpoint for DTLS-SRTP (RFC 5763, RFC 5764) and SCTP over DTLS (RFC 8261).
//
// Datagrams in (handle_datagram), timeouts in (handle_timeout), outputs out (poll_output):
// datagrams to send and events (Connected with the SRTP keys, Failed, Closed, application data).
// The endpoint never reads the clock: `now` (media time, time::Timestamp) is a parameter and
// next_timeout() says when to call handle_timeout() next. Retransmission is OpenSSL's, driven
// through DTLS_set_timer_cb.
//
// Clock caveat (OpenSSL 3.0): the retransmission timer OpenSSL keeps is measured with its own
// gettimeofday() clock, and DTLSv1_handle_timeout() only retransmits once that clock says so
// (it treats less than 15 ms left as expired). next_timeout() therefore reports OpenSSL's
// remaining time measured from the `now` of the last call, and a handle_timeout() that comes
// early by OpenSSL's clock just re-arms. The handshake deadline uses only the injected clock.
//
// Threading: one thread owns an Endpoint; nothing here is thread-safe. OpenSSL callbacks are
// noexcept trampolines that record into the endpoint and return.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dtls/certificate.hpp"
#include "dtls/fingerprint.hpp"
#include "srtp/profile.hpp"
#include "time/media_time.hpp"

namespace rrtc::dtls {

// Passive = DTLS server (a=setup:passive, what rrtc always answers); Active = DTLS client.
enum class Role { Passive, Active };

struct EndpointConfig {
  Role role = Role::Passive;
  // The peer's a=fingerprint values; its certificate must match one of them (RFC 8122).
  std::vector<Fingerprint> remote_fingerprints;
  // In preference order; as the server our order decides (RFC 5764 section 4.1.1).
  std::vector<srtp::SrtpProfile> srtp_profiles{srtp::SrtpProfile::AeadAes128Gcm,
                                               srtp::SrtpProfile::AesCm128HmacSha1_80};
  // From the first datagram received (passive) or from construction (active) to Connected.
  std::chrono::milliseconds handshake_timeout{10'000};
  // First retransmission timeout, doubled on each retransmission up to max_retransmit_timeout.
  // Values under OpenSSL's 15 ms slack make every read retransmit, so keep it above 20 ms.
  std::chrono::milliseconds initial_retransmit_timeout{100};
  std::chrono::milliseconds max_retransmit_timeout{3'000};
  // Largest datagram written; records are packed into datagrams up to this size.
  std::size_t mtu = 1200;
};

enum class FailReason {
  FingerprintMismatch,  // the peer's certificate matches none of its a=fingerprint values
  HandshakeTimeout,     // handshake_timeout passed, or OpenSSL gave up retransmitting
  AlertReceived,        // the peer sent a fatal alert
  NoSrtpProfile,        // the handshake completed without a use_srtp profile in common
  ProtocolError,        // OpenSSL rejected the handshake (the detail says why)
  Internal,             // allocation or exporter failure
};

std::string_view to_string(FailReason reason) noexcept;

struct Transmit {
  std::vector<std::uint8_t> datagram;
};
struct Connected {
  srtp::KeyingMaterial keys;
  Fingerprint remote_fingerprint;  // the fingerprint that matched
};
struct Failed {
  FailReason reason;
  std::string detail;
};
struct Closed {};  // close_notify received
struct ApplicationData {
  std::vector<std::uint8_t> data;
};

using Output = std::variant<Transmit, Connected, Failed, Closed, ApplicationData>;

enum class EndpointState { Idle, Handshaking, Connected, Closed, Failed };

class Endpoint {
 public:
  // An active endpoint starts the handshake here (its ClientHello is the first output).
  Endpoint(std::shared_ptr<const Certificate> certificate, EndpointConfig config,
           time::Timestamp now);
  ~Endpoint();
  // A moved-from Endpoint may only be destroyed or assigned to.
  Endpoint(Endpoint&&) noexcept;
  Endpoint& operator=(Endpoint&&) noexcept;

  // One received datagram (RFC 7983: first byte 20..63). Invalid records are dropped silently,
  // as RFC 6347 section 4.1.2.7 asks; input after Closed or Failed is ignored.
  void handle_datagram(std::span<const std::uint8_t> datagram, time::Timestamp now);
  // Call at or after next_timeout(): retransmits, or fails the handshake past its deadline.
  void handle_timeout(time::Timestamp now);
  std::optional<time::Timestamp> next_timeout() const noexcept;

  // Sends close_notify and stops; no event follows.
  void close(time::Timestamp now);
  // Encrypts `data` as one application data record (SCTP packets, RFC 8261). False unless
  // Connected, or if the record cannot be written.
  bool send_application_data(std::span<const std::uint8_t> data, time::Timestamp now);

  // Next output in order; nullopt when there is none.
  std::optional<Output> poll_output();
  // The oldest queued Transmit, leaving the events around it queued in their order. For an owner
  // that writes (send_application_data) while it is itself handling an earlier event: what the
  // write produced can leave at once, and the remaining events stay in order for poll_output().
  std::optional<Transmit> poll_transmit();

  EndpointState state() const noexcept;
  Role role() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rrtc::dtls
