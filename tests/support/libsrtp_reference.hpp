#pragma once
// libsrtp2 configured the way SrtpSession used it before our own transforms (any-SSRC
// templates, allow_repeat_tx outbound, a kReplayWindow window): the reference the SRTP tests
// compare against byte for byte, and the "libsrtp2" rows of bench_dtls_srtp. Debian's libsrtp2
// does its AES and HMAC through NSS. Link PkgConfig::SRTP2.

#include <srtp2/srtp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "srtp/session.hpp"

namespace rrtc::testing {

class LibsrtpReference {
 public:
  // `rtcp_authenticate_only` makes SRTCP packets with E = 0 (RFC 3711 section 3.4: the payload
  // stays clear), which our own sender never produces.
  LibsrtpReference(srtp::SrtpProfile profile, std::span<const std::uint8_t> master,
                   srtp::SrtpDirection direction, bool rtcp_authenticate_only = false) {
    static const bool ready = srtp_init() == srtp_err_status_ok;
    if (!ready) return;
    srtp_policy_t policy{};
    if (profile == srtp::SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    if (rtcp_authenticate_only) policy.rtcp.sec_serv = sec_serv_auth;
    const bool outbound = direction == srtp::SrtpDirection::Outbound;
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    std::vector<std::uint8_t> key(master.begin(), master.end());  // srtp_create copies it
    policy.key = key.data();
    policy.window_size = srtp::kReplayWindow;
    policy.allow_repeat_tx = outbound ? 1 : 0;
    srtp_t context = nullptr;
    if (srtp_create(&context, &policy) == srtp_err_status_ok) context_.reset(context);
  }

  bool valid() const noexcept { return context_ != nullptr; }

  // In place, like SrtpSession: `buffer` holds the packet in its first `length` bytes (with
  // room for the trailer when protecting); on success `length` is the new length.
  srtp_err_status_t protect_rtp(std::span<std::uint8_t> buffer, std::size_t& length) {
    return run(&srtp_protect, buffer, length);
  }
  srtp_err_status_t protect_rtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
    return run(&srtp_protect_rtcp, buffer, length);
  }
  srtp_err_status_t unprotect_rtp(std::span<std::uint8_t> buffer, std::size_t& length) {
    return run(&srtp_unprotect, buffer, length);
  }
  srtp_err_status_t unprotect_rtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
    return run(&srtp_unprotect_rtcp, buffer, length);
  }

 private:
  struct Dealloc {
    void operator()(srtp_ctx_t_* context) const noexcept { srtp_dealloc(context); }
  };
  using Operation = srtp_err_status_t (*)(srtp_t, void*, int*);

  srtp_err_status_t run(Operation operation, std::span<std::uint8_t> buffer, std::size_t& length) {
    if (!context_) return srtp_err_status_init_fail;
    int size = static_cast<int>(length);
    const srtp_err_status_t status = operation(context_.get(), buffer.data(), &size);
    if (status == srtp_err_status_ok) length = static_cast<std::size_t>(size);
    return status;
  }

  std::unique_ptr<srtp_ctx_t_, Dealloc> context_;
};

}  // namespace rrtc::testing
