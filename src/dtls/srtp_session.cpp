#include "dtls/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <mutex>
#include <string>
#include <utility>

namespace rrtc::dtls {
namespace {

class SrtpCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "rrtc.srtp"; }
  std::string message(int value) const override {
    switch (static_cast<SrtpError>(value)) {
      case SrtpError::Ok:
        return "ok";
      case SrtpError::BadLength:
        return "bad packet length or no room for the SRTP trailer";
      case SrtpError::Replay:
        return "replayed or too old packet";
      case SrtpError::AuthFailure:
        return "SRTP authentication failed";
      case SrtpError::BadKey:
        return "SRTP master key length does not match the profile";
      case SrtpError::Failure:
        return "libsrtp2 failure";
    }
    return "unknown SRTP error";
  }
};

constexpr std::size_t kRtpHeaderSize = 12;  // RFC 3550 section 5.1 fixed header
constexpr std::size_t kRtcpHeaderSize = 8;  // RFC 3550 section 6.4.1 header + SSRC

bool srtp_ready() noexcept {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = srtp_init() == srtp_err_status_ok; });
  return ok;
}

SrtpError map_status(srtp_err_status_t status) noexcept {
  switch (status) {
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
    case srtp_err_status_pkt_idx_old:
      return SrtpError::Replay;
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:  // AEAD tag check failures surface here
      return SrtpError::AuthFailure;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return SrtpError::BadLength;
    default:
      return SrtpError::Failure;
  }
}

void set_crypto_policy(SrtpProfile profile, srtp_policy_t& policy) noexcept {
  if (profile == SrtpProfile::AeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
}

using Operation = srtp_err_status_t (*)(srtp_t, void*, int*);

boost::system::result<std::size_t> apply(srtp_ctx_t_* context, Operation operation,
                                         std::span<std::uint8_t> buffer, std::size_t length,
                                         std::size_t minimum, std::size_t room) noexcept {
  if (context == nullptr) return make_error_code(SrtpError::Failure);
  if (length < minimum || length > buffer.size() || buffer.size() - length < room ||
      buffer.size() > INT_MAX) {
    return make_error_code(SrtpError::BadLength);
  }
  int size = static_cast<int>(length);
  const srtp_err_status_t status = operation(context, buffer.data(), &size);
  if (status != srtp_err_status_ok) return make_error_code(map_status(status));
  if (size < 0 || static_cast<std::size_t>(size) > buffer.size())
    return make_error_code(SrtpError::Failure);
  return static_cast<std::size_t>(size);
}

}  // namespace

const boost::system::error_category& srtp_category() noexcept {
  static const SrtpCategory category;
  return category;
}

boost::system::error_code make_error_code(SrtpError error) noexcept {
  return {static_cast<int>(error), srtp_category()};
}

boost::system::result<SrtpSession> SrtpSession::create(SrtpProfile profile,
                                                       std::span<const std::uint8_t> master,
                                                       SrtpDirection direction) {
  if (master.size() != master_key_length(profile) + master_salt_length(profile)) {
    return make_error_code(SrtpError::BadKey);
  }
  if (!srtp_ready()) return make_error_code(SrtpError::Failure);
  srtp_policy_t policy{};
  set_crypto_policy(profile, policy);
  policy.ssrc.type = direction == SrtpDirection::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.ssrc.value = 0;
  // libsrtp2 copies the key into its own context during srtp_create.
  policy.key = const_cast<unsigned char*>(master.data());
  policy.window_size = kReplayWindow;
  // Retransmissions (NACK answers) protect the same sequence number again with the same payload.
  policy.allow_repeat_tx = direction == SrtpDirection::Outbound ? 1 : 0;
  policy.next = nullptr;
  srtp_t context = nullptr;
  const srtp_err_status_t status = srtp_create(&context, &policy);
  if (status != srtp_err_status_ok) {
    if (context != nullptr) srtp_dealloc(context);
    return make_error_code(SrtpError::Failure);
  }
  return SrtpSession(profile, direction, context);
}

SrtpSession::SrtpSession(SrtpProfile profile, SrtpDirection direction,
                         srtp_ctx_t_* context) noexcept
    : profile_(profile), direction_(direction), context_(context) {}

SrtpSession::~SrtpSession() { reset(); }

SrtpSession::SrtpSession(SrtpSession&& other) noexcept
    : profile_(other.profile_),
      direction_(other.direction_),
      context_(std::exchange(other.context_, nullptr)) {}

SrtpSession& SrtpSession::operator=(SrtpSession&& other) noexcept {
  if (this != &other) {
    reset();
    profile_ = other.profile_;
    direction_ = other.direction_;
    context_ = std::exchange(other.context_, nullptr);
  }
  return *this;
}

void SrtpSession::reset() noexcept {
  if (context_ != nullptr) srtp_dealloc(context_);
  context_ = nullptr;
}

std::size_t SrtpSession::rtp_overhead() const noexcept {
  return profile_ == SrtpProfile::AeadAes128Gcm ? 16 : 10;
}

boost::system::result<std::size_t> SrtpSession::protect_rtp(std::span<std::uint8_t> buffer,
                                                            std::size_t length) {
  return apply(context_, &srtp_protect, buffer, length, kRtpHeaderSize, rtp_overhead());
}

boost::system::result<std::size_t> SrtpSession::protect_rtcp(std::span<std::uint8_t> buffer,
                                                             std::size_t length) {
  return apply(context_, &srtp_protect_rtcp, buffer, length, kRtcpHeaderSize, rtcp_overhead());
}

boost::system::result<std::size_t> SrtpSession::unprotect_rtp(std::span<std::uint8_t> buffer,
                                                              std::size_t length) {
  return apply(context_, &srtp_unprotect, buffer, length, kRtpHeaderSize + rtp_overhead(), 0);
}

boost::system::result<std::size_t> SrtpSession::unprotect_rtcp(std::span<std::uint8_t> buffer,
                                                               std::size_t length) {
  return apply(context_, &srtp_unprotect_rtcp, buffer, length, kRtcpHeaderSize + rtcp_overhead(),
               0);
}

}  // namespace rrtc::dtls
