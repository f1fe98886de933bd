#pragma once
// One direction of SRTP/SRTCP (RFC 3711, RFC 7714) over OpenSSL's EVP ciphers, keyed from
// DTLS-SRTP. Our own transforms (srtp_context.hpp and below); libsrtp2 remains the reference
// implementation the tests compare against byte for byte.
//
// Protection happens in place: protect_*() appends the authentication tag (and for SRTCP the
// E-flag/index word) after `length` bytes, so the buffer must have room for max_overhead() more.
// Unprotect shrinks the packet and returns its new length.
//
// Per SSRC a session keeps the packet index and replay state; it tracks at most 256 SSRCs, after
// which a packet of a new SSRC fails with Failure. Inbound packets that fail authentication
// change no state. protect_*() on an Inbound session and unprotect_*() on an Outbound one fail
// with Failure.
//
// Threading: a session belongs to one thread.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "srtp/profile.hpp"

namespace rrtc::srtp {

enum class SrtpError {
  Ok = 0,
  BadLength,    // shorter than a header, longer than the buffer, or no room for the tag
  Replay,       // index already seen or older than the replay window
  AuthFailure,  // tag mismatch: tampered, or wrong key
  BadKey,       // key length does not match the profile
  Failure,      // moved-from session, wrong direction, SSRC limit reached, or OpenSSL error
};

const boost::system::error_category& srtp_category() noexcept;
boost::system::error_code make_error_code(SrtpError error) noexcept;

}  // namespace rrtc::srtp

namespace boost::system {
template <>
struct is_error_code_enum<rrtc::srtp::SrtpError> : std::true_type {};
}  // namespace boost::system

namespace rrtc::srtp {

namespace detail {
class SrtpContext;
}  // namespace detail

enum class SrtpDirection {
  Inbound,  // unprotect what the peer sends, from any SSRC
  Outbound  // protect what we send, any SSRC; a sequence number may repeat (NACK)
};

// Octets protect_rtp() / protect_rtcp() add at most, over both profiles we negotiate.
constexpr std::size_t kMaxSrtpOverhead = 16;   // AEAD tag (HMAC-SHA1-80 adds 10)
constexpr std::size_t kMaxSrtcpOverhead = 20;  // 4-byte E+index word plus the 16-byte tag
// Inbound replay window, in packets: room for NACK retransmissions that arrive a few hundred
// milliseconds late at video packet rates (libsrtp2, our reference, accepts 64 up to 32767).
constexpr unsigned long kReplayWindow = 4096;

class SrtpSession {
 public:
  // `master` is key || salt for `profile` (KeyingMaterial::local for Outbound, ::remote for
  // Inbound).
  static boost::system::result<SrtpSession> create(SrtpProfile profile,
                                                   std::span<const std::uint8_t> master,
                                                   SrtpDirection direction);

  ~SrtpSession();
  SrtpSession(SrtpSession&& other) noexcept;
  SrtpSession& operator=(SrtpSession&& other) noexcept;
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // `buffer` holds the packet in its first `length` bytes; returns the protected length.
  boost::system::result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer,
                                                 std::size_t length);
  boost::system::result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer,
                                                  std::size_t length);
  // Returns the plaintext length; on error the buffer content is unspecified.
  boost::system::result<std::size_t> unprotect_rtp(std::span<std::uint8_t> buffer,
                                                   std::size_t length);
  boost::system::result<std::size_t> unprotect_rtcp(std::span<std::uint8_t> buffer,
                                                    std::size_t length);

  SrtpProfile profile() const noexcept { return profile_; }
  SrtpDirection direction() const noexcept { return direction_; }
  std::size_t rtp_overhead() const noexcept;
  std::size_t rtcp_overhead() const noexcept { return rtp_overhead() + 4; }

 private:
  SrtpSession(SrtpProfile profile, SrtpDirection direction,
              std::unique_ptr<detail::SrtpContext> context) noexcept;

  SrtpProfile profile_;
  SrtpDirection direction_;
  std::unique_ptr<detail::SrtpContext> context_;  // null once moved from
};

}  // namespace rrtc::srtp
