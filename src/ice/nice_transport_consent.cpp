// NiceTransport's consent freshness: what it does with libnice's FAILED after Connected, the
// re-arm of libnice's checks, and the timer ConsentFreshness asks for. See
// ice/consent_freshness.hpp for why libnice 0.1.21's own verdict is not final.

#include <nice/agent.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "ice/nice_transport.hpp"
#include "io/glib_loop.hpp"
#include "log/log.hpp"

namespace rrtc::ice {
namespace {

constexpr guint kComponent = 1;
// How often libnice's consent flag is read while its component is stuck in FAILED.
constexpr time::Duration kConsentPoll = time::to_duration(std::chrono::seconds(1));

std::atomic<uint64_t> g_rearmed{0};
std::atomic<uint64_t> g_expired{0};
std::atomic<uint64_t> g_revoked{0};

spdlog::logger& logger() {
  static spdlog::logger& instance = log::get("ice");
  return instance;
}

// nice_agent_set_selected_pair finds the pair by foundation, taking the first candidate with
// each: true when that is `wanted` itself (a foundation shared by two candidates would move the
// media to another pair, so then we do not re-arm).
bool first_with_foundation(GSList* candidates, const NiceCandidate* wanted) {
  for (GSList* i = candidates; i != nullptr; i = i->next) {
    const auto* candidate = static_cast<const NiceCandidate*>(i->data);
    if (g_strcmp0(candidate->foundation, wanted->foundation) == 0) {
      return nice_address_equal(&candidate->addr, &wanted->addr) &&
             candidate->transport == wanted->transport;
    }
  }
  return false;
}

void free_candidates(GSList* candidates) {
  g_slist_free_full(candidates, reinterpret_cast<GDestroyNotify>(&nice_candidate_free));
}

}  // namespace

NiceTransport::ConsentCounters NiceTransport::consent_counters() noexcept {
  return {g_rearmed.load(std::memory_order_relaxed), g_expired.load(std::memory_order_relaxed),
          g_revoked.load(std::memory_order_relaxed)};
}

bool NiceTransport::libnice_consent_lost() noexcept {
  // Sending no message at all runs libnice's checks without a byte on the wire: PERMISSION_DENIED
  // when its consent is lost, WOULD_BLOCK (nothing sent) when it holds.
  GError* error = nullptr;
  const gint sent = nice_agent_send_messages_nonblocking(agent_, stream_id_, kComponent, nullptr, 0,
                                                         nullptr, &error);
  const bool lost = sent < 0 && error != nullptr &&
                    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error(&error);
  return lost;
}

bool NiceTransport::on_checks_failed() noexcept {
  if (closed_ || state_ != IceState::Connected) {
    return false;
  }
  if (!libnice_consent_lost()) {
    // Not consent: after a re-arm pruned libnice's check list, a check the peer's consent check
    // triggered succeeds without nomination (browsers nominate once), and libnice 0.1.21 calls a
    // list of completed, unnominated pairs FAILED. Media is unaffected, but libnice signals
    // nothing more from FAILED, not even the consent timeout: poll its consent flag instead.
    polling_ = true;
    schedule_consent_timer();
    return false;
  }
  return on_missed_window();
}

bool NiceTransport::on_missed_window() noexcept {
  const ConsentVerdict verdict = consent_.on_checks_failed(io::now(), last_inbound_);
  if (verdict == ConsentVerdict::Suspect) {
    g_rearmed.fetch_add(1, std::memory_order_relaxed);
    if (rearm_consent_checks()) {
      polling_ = false;  // the component is READY again: libnice signals its next FAILED
    } else {
      // libnice sends nothing more through the agent (relayed pairs stop) and checks no more:
      // the datagrams alone keep the peer.
      consent_.checks_stopped();
      polling_ = false;
      logger().debug("ice: consent checks could not be re-armed; datagrams alone count now");
    }
  }
  return apply_consent_verdict(verdict);
}

bool NiceTransport::on_consent_timer() noexcept {
  if (closed_ || state_ != IceState::Connected) {
    return false;
  }
  if (polling_ && libnice_consent_lost()) {
    return on_missed_window();  // seen up to one poll late: a little more life, never less
  }
  return apply_consent_verdict(consent_.on_timer(io::now(), last_inbound_));
}

bool NiceTransport::apply_consent_verdict(ConsentVerdict verdict) noexcept {
  if (verdict == ConsentVerdict::Revoked) {
    g_revoked.fetch_add(1, std::memory_order_relaxed);
    fail_connected("consent revoked by the peer (STUN 403, RFC 7675 section 5.2)");
    return true;
  }
  if (verdict == ConsentVerdict::Expired) {
    g_expired.fetch_add(1, std::memory_order_relaxed);
    const auto silent =
        std::chrono::duration_cast<std::chrono::milliseconds>(io::now() - consent_.last_alive());
    fail_connected("consent expired: no answer to consent checks and no datagram for " +
                   std::to_string(silent.count() / 1000) + "." +
                   std::to_string(silent.count() % 1000 / 100) + " s (RFC 7675)");
    return true;
  }
  schedule_consent_timer();
  return false;
}

bool NiceTransport::rearm_consent_checks() noexcept {
  NiceCandidate* local = nullptr;
  NiceCandidate* remote = nullptr;
  if (!nice_agent_get_selected_pair(agent_, stream_id_, kComponent, &local, &remote)) {
    return false;
  }
  GSList* locals = nice_agent_get_local_candidates(agent_, stream_id_, kComponent);
  GSList* remotes = nice_agent_get_remote_candidates(agent_, stream_id_, kComponent);
  const bool unique =
      first_with_foundation(locals, local) && first_with_foundation(remotes, remote);
  free_candidates(locals);
  free_candidates(remotes);
  if (!unique) {
    return false;
  }
  const std::string local_foundation = local->foundation;
  const std::string remote_foundation = remote->foundation;
  // Restores libnice's consent flag on the same pair and clears its check timers: the next
  // keepalive tick (within 4 s) sends a fresh check and starts a new 10 s window.
  rearming_ = true;
  const bool rearmed = nice_agent_set_selected_pair(
      agent_, stream_id_, kComponent, local_foundation.c_str(), remote_foundation.c_str());
  rearming_ = false;
  libnice_->poke();
  if (rearmed) {
    refresh_direct_path();
  }
  return rearmed;
}

void NiceTransport::schedule_consent_timer() noexcept {
  cancel_consent_timer();
  std::optional<time::Timestamp> deadline = consent_.deadline();
  if (polling_) {
    const time::Timestamp poll = io::now() + kConsentPoll;
    deadline = deadline ? std::min(*deadline, poll) : poll;
  }
  if (!deadline) {
    return;
  }
  // Never before the deadline (a loop timer).
  consent_timer_ = loop_.add_timer(*deadline, [this] { on_consent_timer_fired(); });
}

void NiceTransport::cancel_consent_timer() noexcept { consent_timer_.cancel(); }

void NiceTransport::on_consent_timer_fired() noexcept {
  // The verdict may schedule the next timer, replacing the handle of this one (allowed).
  if (on_consent_timer() && listener_ != nullptr) {
    // Events queued earlier go first, as everywhere else.
    record(StateChange{IceState::Failed});
  }
}

void NiceTransport::fail_connected(std::string reason) noexcept {
  // The Peer logs the failure with this reason, once: no second line here.
  logger().debug("ice: {}", reason);
  failure_reason_ = std::move(reason);
  state_ = IceState::Failed;
  polling_ = false;
  nice_connected_ = false;
  clear_direct_path();
  cancel_consent_timer();
}

}  // namespace rrtc::ice
