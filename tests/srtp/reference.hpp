#pragma once
// The libsrtp2 reference (tests/support/libsrtp_reference.hpp) with a copy-in, copy-out
// interface for the SRTP tests, and the libsrtp2 status of the last call.

#include <srtp2/srtp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "srtp/session.hpp"
#include "support/libsrtp_reference.hpp"

namespace rrtc::srtp::testing {

class ReferenceSrtp {
 public:
  ReferenceSrtp(SrtpProfile profile, std::span<const std::uint8_t> master, SrtpDirection direction,
                bool rtcp_authenticate_only = false)
      : reference_(profile, master, direction, rtcp_authenticate_only) {}

  bool valid() const noexcept { return reference_.valid(); }

  // The protected / unprotected packet, or nullopt with the libsrtp2 status in last_status().
  std::optional<std::vector<std::uint8_t>> protect_rtp(const std::vector<std::uint8_t>& plain) {
    return run(&rrtc::testing::LibsrtpReference::protect_rtp, plain, kMaxSrtcpOverhead);
  }
  std::optional<std::vector<std::uint8_t>> protect_rtcp(const std::vector<std::uint8_t>& plain) {
    return run(&rrtc::testing::LibsrtpReference::protect_rtcp, plain, kMaxSrtcpOverhead);
  }
  std::optional<std::vector<std::uint8_t>> unprotect_rtp(const std::vector<std::uint8_t>& packet) {
    return run(&rrtc::testing::LibsrtpReference::unprotect_rtp, packet, 0);
  }
  std::optional<std::vector<std::uint8_t>> unprotect_rtcp(const std::vector<std::uint8_t>& packet) {
    return run(&rrtc::testing::LibsrtpReference::unprotect_rtcp, packet, 0);
  }
  srtp_err_status_t last_status() const noexcept { return status_; }

 private:
  using Operation = srtp_err_status_t (rrtc::testing::LibsrtpReference::*)(std::span<std::uint8_t>,
                                                                          std::size_t&);

  std::optional<std::vector<std::uint8_t>> run(Operation operation, std::vector<std::uint8_t> data,
                                               std::size_t room) {
    std::size_t length = data.size();
    data.resize(length + room);
    status_ = (reference_.*operation)(data, length);
    if (status_ != srtp_err_status_ok) return std::nullopt;
    data.resize(length);
    return data;
  }

  rrtc::testing::LibsrtpReference reference_;
  srtp_err_status_t status_ = srtp_err_status_ok;
};

}  // namespace rrtc::srtp::testing
