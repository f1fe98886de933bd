#pragma once
// libsrtp2 behind SrtpSession's interface, configured as SrtpSession was before our own
// transforms (any-SSRC templates, allow_repeat_tx outbound, kReplayWindow), so the benchmark
// runs the same loop over both. Debian's libsrtp2 does its AES and HMAC through NSS.

#include <srtp2/srtp.h>

#include <boost/system/result.hpp>
#include <climits>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dtls/srtp_session.hpp"

namespace rrtc::bench {

class LibsrtpSession {
 public:
  static LibsrtpSession create(dtls::SrtpProfile profile, std::span<const std::uint8_t> master,
                               dtls::SrtpDirection direction) {
    static const bool ready = srtp_init() == srtp_err_status_ok;
    LibsrtpSession session;
    if (!ready) return session;
    srtp_policy_t policy{};
    if (profile == dtls::SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    const bool inbound = direction == dtls::SrtpDirection::Inbound;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    std::vector<std::uint8_t> key(master.begin(), master.end());
    policy.key = key.data();
    policy.window_size = dtls::kReplayWindow;
    policy.allow_repeat_tx = inbound ? 0 : 1;
    srtp_t context = nullptr;
    if (srtp_create(&context, &policy) == srtp_err_status_ok) session.context_.reset(context);
    return session;
  }

  boost::system::result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer,
                                                 std::size_t length) {
    return run(&srtp_protect, buffer, length);
  }
  boost::system::result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer,
                                                  std::size_t length) {
    return run(&srtp_protect_rtcp, buffer, length);
  }
  boost::system::result<std::size_t> unprotect_rtp(std::span<std::uint8_t> buffer,
                                                   std::size_t length) {
    return run(&srtp_unprotect, buffer, length);
  }
  boost::system::result<std::size_t> unprotect_rtcp(std::span<std::uint8_t> buffer,
                                                    std::size_t length) {
    return run(&srtp_unprotect_rtcp, buffer, length);
  }

 private:
  struct Dealloc {
    void operator()(srtp_ctx_t_* context) const noexcept { srtp_dealloc(context); }
  };
  using Operation = srtp_err_status_t (*)(srtp_t, void*, int*);

  boost::system::result<std::size_t> run(Operation operation, std::span<std::uint8_t> buffer,
                                         std::size_t length) {
    int size = static_cast<int>(length);
    if (!context_ || operation(context_.get(), buffer.data(), &size) != srtp_err_status_ok) {
      return make_error_code(dtls::SrtpError::Failure);
    }
    return static_cast<std::size_t>(size);
  }

  std::unique_ptr<srtp_ctx_t_, Dealloc> context_;
};

}  // namespace rrtc::bench
