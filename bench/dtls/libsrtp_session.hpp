#pragma once
// The libsrtp2 reference (tests/support/libsrtp_reference.hpp) behind SrtpSession's interface,
// so the benchmark runs the same loop over both.

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

#include "srtp/session.hpp"
#include "support/libsrtp_reference.hpp"

namespace rrtc::bench {

class LibsrtpSession {
 public:
  static LibsrtpSession create(srtp::SrtpProfile profile, std::span<const std::uint8_t> master,
                               srtp::SrtpDirection direction) {
    return LibsrtpSession(profile, master, direction);
  }

  boost::system::result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer,
                                                 std::size_t length) {
    const srtp_err_status_t status = reference_.protect_rtp(buffer, length);
    return result(status, length);
  }
  boost::system::result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer,
                                                  std::size_t length) {
    const srtp_err_status_t status = reference_.protect_rtcp(buffer, length);
    return result(status, length);
  }
  boost::system::result<std::size_t> unprotect_rtp(std::span<std::uint8_t> buffer,
                                                   std::size_t length) {
    const srtp_err_status_t status = reference_.unprotect_rtp(buffer, length);
    return result(status, length);
  }
  boost::system::result<std::size_t> unprotect_rtcp(std::span<std::uint8_t> buffer,
                                                    std::size_t length) {
    const srtp_err_status_t status = reference_.unprotect_rtcp(buffer, length);
    return result(status, length);
  }

 private:
  LibsrtpSession(srtp::SrtpProfile profile, std::span<const std::uint8_t> master,
                 srtp::SrtpDirection direction)
      : reference_(profile, master, direction) {}

  // Called after the operation, never as result(op(buffer, length), length): the order in which
  // function arguments are evaluated is unspecified, and GCC read `length` before the operation
  // updated it, so protected packets lost their tag and every libsrtp2 unprotect row failed.
  static boost::system::result<std::size_t> result(srtp_err_status_t status, std::size_t length) {
    if (status != srtp_err_status_ok) return make_error_code(srtp::SrtpError::Failure);
    return length;
  }

  testing::LibsrtpReference reference_;
};

}  // namespace rrtc::bench
