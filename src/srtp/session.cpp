#include "srtp/session.hpp"

#include <string>
#include <utility>

#include "srtp/context.hpp"

namespace rrtc::srtp {
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
        return "SRTP failure";
    }
    return "unknown SRTP error";
  }
};

constexpr std::size_t kRtpHeaderSize = 12;  // RFC 3550 section 5.1 fixed header
constexpr std::size_t kRtcpHeaderSize = 8;  // RFC 3550 section 6.4.1 header + SSRC

// The length checks every operation shares: `length` octets of at least `minimum` in the buffer,
// and `room` more after them for what protection appends.
bool fits(std::span<std::uint8_t> buffer, std::size_t length, std::size_t minimum,
          std::size_t room) noexcept {
  return length >= minimum && length <= buffer.size() && buffer.size() - length >= room;
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
  auto context = detail::SrtpContext::create(profile, master, direction == SrtpDirection::Outbound);
  if (!context) return make_error_code(SrtpError::Failure);
  return SrtpSession(profile, direction, std::move(context));
}

SrtpSession::SrtpSession(SrtpProfile profile, SrtpDirection direction,
                         std::unique_ptr<detail::SrtpContext> context) noexcept
    : profile_(profile), direction_(direction), context_(std::move(context)) {}

SrtpSession::~SrtpSession() = default;
SrtpSession::SrtpSession(SrtpSession&& other) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&& other) noexcept = default;

std::size_t SrtpSession::rtp_overhead() const noexcept {
  return profile_ == SrtpProfile::AeadAes128Gcm ? 16 : 10;
}

boost::system::result<std::size_t> SrtpSession::protect_rtp(std::span<std::uint8_t> buffer,
                                                            std::size_t length) {
  if (!context_) return make_error_code(SrtpError::Failure);
  if (!fits(buffer, length, kRtpHeaderSize, rtp_overhead())) {
    return make_error_code(SrtpError::BadLength);
  }
  return context_->protect_rtp(buffer, length);
}

boost::system::result<std::size_t> SrtpSession::protect_rtcp(std::span<std::uint8_t> buffer,
                                                             std::size_t length) {
  if (!context_) return make_error_code(SrtpError::Failure);
  if (!fits(buffer, length, kRtcpHeaderSize, rtcp_overhead())) {
    return make_error_code(SrtpError::BadLength);
  }
  return context_->protect_rtcp(buffer, length);
}

boost::system::result<std::size_t> SrtpSession::unprotect_rtp(std::span<std::uint8_t> buffer,
                                                              std::size_t length) {
  if (!context_) return make_error_code(SrtpError::Failure);
  if (!fits(buffer, length, kRtpHeaderSize + rtp_overhead(), 0)) {
    return make_error_code(SrtpError::BadLength);
  }
  return context_->unprotect_rtp(buffer.first(length));
}

boost::system::result<std::size_t> SrtpSession::unprotect_rtcp(std::span<std::uint8_t> buffer,
                                                               std::size_t length) {
  if (!context_) return make_error_code(SrtpError::Failure);
  if (!fits(buffer, length, kRtcpHeaderSize + rtcp_overhead(), 0)) {
    return make_error_code(SrtpError::BadLength);
  }
  return context_->unprotect_rtcp(buffer.first(length));
}

}  // namespace rrtc::srtp
