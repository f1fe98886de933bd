#pragma once
// Consent freshness (RFC 7675) on top of libnice 0.1.21's consent checks: the decision when a
// connected peer is gone, as a sans-IO core (time is a parameter; NiceTransport drives it).
//
// Why not libnice's own verdict: libnice sends one consent check every 5 s +-20 % (at least 4 s
// apart), never retransmits it, and declares the component FAILED once no response came for
// 10 s (NICE_AGENT_TIMER_CONSENT_TIMEOUT), for good: its consent flag never comes back. Two
// checks in a row lost, or one lost before a 6 s gap, is enough, so a receiver losing 20 % of
// its incoming packets was removed within 10-25 s in 2 of 3 runs. RFC 7675 section 5.1 lets
// consent expire only when no request sent in the last 30 s was answered.
//
// What this core does with libnice's early FAILED ("a missed window"):
//  - it is a revocation (a 403 answer, RFC 7675 section 5.2), final, when it comes sooner than
//    one window after libnice's checks were (re)started: a timeout cannot be that early;
//  - otherwise the transport re-arms libnice's checks on the same pair (they restart with a
//    fresh check at once, which is the retransmission libnice lacks) and the peer is suspect;
//  - evidence of life: a STUN answer (a missed window that ends later than one window after
//    the first check libnice sent after the re-arm, or no FAILED at all by then) and any
//    datagram libnice delivered from the selected pair (it drops other sources);
//  - consent expires at the first missed window that ends `timeout` or more after the last
//    evidence: only libnice knows whether a check was answered, and it tells at window ends.
//    Should the checks not restart (re-arm refused), the last datagram alone counts, and
//    consent expires `timeout` after it.
// A vanished peer is declared gone 30-46 s after its last datagram (the first window end past
// 30 s after its last answer); a lossy link stays while one check in 30 s, or one datagram, gets
// through. One blind spot: libnice starts its window at the first check after a re-arm whether
// or not it is answered, so an answer to that check is not seen as evidence. A peer that sends
// no datagram at all (no media, no data channel) and loses its other checks can then go up to
// one window early: 11 in 1000 simulated minutes at 20 % loss (tests/ice, consent link model).

#include <optional>

#include "time/media_time.hpp"

namespace rrtc::ice {

struct ConsentTiming {
  // RFC 7675 section 5.1: consent expires 30 s after the last answered check.
  time::Duration timeout = time::to_duration(std::chrono::seconds(30));
  // libnice 0.1.21 NICE_AGENT_TIMER_CONSENT_TIMEOUT: FAILED after this long without an answer.
  time::Duration check_window = time::to_duration(std::chrono::seconds(10));
  // The longest libnice takes to send its first check after a re-arm: its keepalive timer runs
  // at least every 4 s (NICE_AGENT_TIMER_MIN_CONSENT_INTERVAL), plus 0.5 s for a late timer.
  time::Duration first_check = time::to_duration(std::chrono::milliseconds(4500));
};

enum class ConsentVerdict {
  Fresh,    // consent holds
  Suspect,  // answers are missing but for less than the timeout: (re-)arm the checks, go on
  Revoked,  // the peer answered 403 (it closed): final
  Expired,  // no evidence of the peer for the timeout: final
};

const char* to_string(ConsentVerdict verdict) noexcept;

class ConsentFreshness {
 public:
  explicit ConsentFreshness(ConsentTiming timing = {}) noexcept : timing_(timing) {}

  // ICE connected: the peer just answered a check; libnice's checks start.
  void start(time::Timestamp now) noexcept;
  // libnice declared the component FAILED after start(). `last_inbound` is when the last
  // datagram from the selected pair arrived (or any earlier time when none did). On Suspect
  // the caller restarts libnice's checks, now.
  ConsentVerdict on_checks_failed(time::Timestamp now, time::Timestamp last_inbound) noexcept;
  // Called at or after deadline(): Fresh when libnice's checks got an answer since they were
  // re-armed, Expired when the timeout passed, Suspect while neither is known yet.
  ConsentVerdict on_timer(time::Timestamp now, time::Timestamp last_inbound) noexcept;
  // libnice's checks could not be restarted after a Suspect: from now on only datagrams count.
  void checks_stopped() noexcept { checks_running_ = false; }
  // When on_timer wants to be called; nullopt while consent is fresh (libnice watches it).
  std::optional<time::Timestamp> deadline() const noexcept;

  bool suspect() const noexcept { return suspect_; }
  // The latest evidence of the peer known while suspect (meaningful only then).
  time::Timestamp last_alive() const noexcept { return last_alive_; }
  // When libnice's checks were last (re)started.
  time::Timestamp armed_at() const noexcept { return armed_at_; }

 private:
  time::Timestamp expiry() const noexcept { return last_alive_ + timing_.timeout; }
  // Past this, libnice answered after the re-arm: it would have failed again otherwise.
  time::Timestamp answered_by() const noexcept {
    return armed_at_ + timing_.check_window + timing_.first_check;
  }

  ConsentTiming timing_;
  time::Timestamp armed_at_{};
  time::Timestamp last_alive_{};
  bool suspect_ = false;
  bool checks_running_ = true;
};

}  // namespace rrtc::ice
