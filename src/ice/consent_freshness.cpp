#include "ice/consent_freshness.hpp"

#include <algorithm>

namespace rrtc::ice {

const char* to_string(ConsentVerdict verdict) noexcept {
  switch (verdict) {
    case ConsentVerdict::Fresh:
      return "fresh";
    case ConsentVerdict::Suspect:
      return "suspect";
    case ConsentVerdict::Revoked:
      return "revoked";
    case ConsentVerdict::Expired:
      return "expired";
  }
  return "unknown";
}

void ConsentFreshness::start(time::Timestamp now) noexcept {
  armed_at_ = now;
  last_alive_ = now;
  suspect_ = false;
  checks_running_ = true;
}

ConsentVerdict ConsentFreshness::on_checks_failed(time::Timestamp now,
                                                  time::Timestamp last_inbound) noexcept {
  if (now - armed_at_ < timing_.check_window) {
    // libnice's timeout starts at its first check after (re)arming, so it cannot end this soon:
    // the peer answered 403.
    return ConsentVerdict::Revoked;
  }
  // libnice saw no answer in the window that just ended. It started at the last answer, or at
  // the first check after the re-arm (no answer then): only the former is evidence.
  const time::Timestamp window_start = now - timing_.check_window;
  if (window_start > armed_at_ + timing_.first_check) {
    last_alive_ = std::max(last_alive_, window_start);
  }
  last_alive_ = std::max(last_alive_, last_inbound);
  suspect_ = true;
  armed_at_ = now;
  return now >= expiry() ? ConsentVerdict::Expired : ConsentVerdict::Suspect;
}

ConsentVerdict ConsentFreshness::on_timer(time::Timestamp now,
                                          time::Timestamp last_inbound) noexcept {
  if (!suspect_) {
    return ConsentVerdict::Fresh;
  }
  last_alive_ = std::max(last_alive_, last_inbound);
  if (checks_running_) {
    if (now < answered_by()) {
      return ConsentVerdict::Suspect;
    }
    // No missed window since the re-arm: one of its checks was answered.
    suspect_ = false;
    last_alive_ = std::max(last_alive_, armed_at_);
    return ConsentVerdict::Fresh;
  }
  return now >= expiry() ? ConsentVerdict::Expired : ConsentVerdict::Suspect;
}

std::optional<time::Timestamp> ConsentFreshness::deadline() const noexcept {
  if (!suspect_) {
    return std::nullopt;
  }
  return checks_running_ ? answered_by() : expiry();
}

}  // namespace rrtc::ice
