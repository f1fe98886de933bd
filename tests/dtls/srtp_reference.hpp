#pragma once
// libsrtp2 configured the way SrtpSession used it before our own transforms (any-SSRC
// templates, allow_repeat_tx outbound, a kReplayWindow window), as the reference the SRTP
// tests compare against byte for byte.

#include <srtp2/srtp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dtls/srtp_session.hpp"

namespace rrtc::dtls::testing {

class ReferenceSrtp {
 public:
  // `rtcp_authenticate_only` makes SRTCP packets with E = 0 (RFC 3711 section 3.4: the payload
  // stays clear), which our own sender never produces.
  ReferenceSrtp(SrtpProfile profile, std::span<const std::uint8_t> master, SrtpDirection direction,
                bool rtcp_authenticate_only = false) {
    static const bool ready = srtp_init() == srtp_err_status_ok;
    if (!ready) return;
    srtp_policy_t policy{};
    if (profile == SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    if (rtcp_authenticate_only) policy.rtcp.sec_serv = sec_serv_auth;
    policy.ssrc.type = direction == SrtpDirection::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
    key_.assign(master.begin(), master.end());
    policy.key = key_.data();
    policy.window_size = kReplayWindow;
    policy.allow_repeat_tx = direction == SrtpDirection::Outbound ? 1 : 0;
    srtp_t context = nullptr;
    if (srtp_create(&context, &policy) == srtp_err_status_ok) context_.reset(context);
  }

  bool valid() const noexcept { return context_ != nullptr; }

  // The protected / unprotected packet, or nullopt with the libsrtp2 status in last_status().
  std::optional<std::vector<std::uint8_t>> protect_rtp(const std::vector<std::uint8_t>& plain) {
    return run(&srtp_protect, plain, kMaxSrtcpOverhead);
  }
  std::optional<std::vector<std::uint8_t>> protect_rtcp(const std::vector<std::uint8_t>& plain) {
    return run(&srtp_protect_rtcp, plain, kMaxSrtcpOverhead);
  }
  std::optional<std::vector<std::uint8_t>> unprotect_rtp(const std::vector<std::uint8_t>& packet) {
    return run(&srtp_unprotect, packet, 0);
  }
  std::optional<std::vector<std::uint8_t>> unprotect_rtcp(const std::vector<std::uint8_t>& packet) {
    return run(&srtp_unprotect_rtcp, packet, 0);
  }
  srtp_err_status_t last_status() const noexcept { return status_; }

 private:
  struct Dealloc {
    void operator()(srtp_ctx_t_* context) const noexcept { srtp_dealloc(context); }
  };
  using Operation = srtp_err_status_t (*)(srtp_t, void*, int*);

  std::optional<std::vector<std::uint8_t>> run(Operation operation, std::vector<std::uint8_t> data,
                                               std::size_t room) {
    const std::size_t length = data.size();
    data.resize(length + room);
    int size = static_cast<int>(length);
    status_ = operation(context_.get(), data.data(), &size);
    if (status_ != srtp_err_status_ok) return std::nullopt;
    data.resize(static_cast<std::size_t>(size));
    return data;
  }

  std::vector<std::uint8_t> key_;
  std::unique_ptr<srtp_ctx_t_, Dealloc> context_;
  srtp_err_status_t status_ = srtp_err_status_ok;
};

}  // namespace rrtc::dtls::testing
