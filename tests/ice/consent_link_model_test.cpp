// ConsentFreshness against a model of libnice 0.1.21's consent checks on a lossy or dead link,
// on a simulated clock (10 ms steps), for many seeds. The model (agent/conncheck.c):
//  - one check per 4-6 s (5 s * U(0.8, 1.2), at least 4 s), never retransmitted; after
//    Connected or a re-arm the first goes out at the keepalive timer's next tick, within 4 s;
//  - the consent window starts at the first check after (re)arming and restarts at each answer;
//    10 s without one: FAILED, and libnice's consent stays lost until re-armed;
//  - a receiver losing `loss_to_peer` of what we send loses that share of our checks (its
//    answers, like its RTCP, come back whole unless `loss_from_peer`).
// What it shows: with the core, a 20 %-lossy receiver stays; without it (libnice's first FAILED
// final, rrtc before this change) most are removed within a minute; a dead link is declared
// gone 30 s or more after the peer's last sign of life, and within 46 s of its death.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <vector>

#include "ice/consent_freshness.hpp"

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using time::Duration;
using time::Timestamp;

struct Link {
  double loss_to_peer = 0.0;
  double loss_from_peer = 0.0;
  bool sends_rtcp = false;           // one datagram a second from the peer (a receiver's RR)
  std::optional<Duration> dies_at;   // from then on nothing gets through either way
  bool final_first_failure = false;  // libnice's verdict as it is, without the core
};

struct Outcome {
  std::optional<Duration> failed_at;  // Expired (or libnice's FAILED when final)
  Duration last_sign_of_life{};       // the last answered check or delivered datagram
  // The same leaving out answers to checks sent within 4.5 s of a (re)arm: libnice does not tell
  // the first check after a re-arm from its answer (consent_freshness.hpp, "blind spot").
  Duration last_visible_sign{};
  int rearms = 0;
};

Outcome run(const Link& link, unsigned seed, Duration length) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto uniform_ms = [&](int lo, int hi) {
    return time::to_duration(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(lo, hi)(rng)));
  };
  const Duration step = 10ms;
  const Duration window = 10s;
  ConsentFreshness consent;
  Outcome outcome;
  const Timestamp origin{};
  consent.start(origin);
  Timestamp next_check = origin + uniform_ms(0, 4000);
  std::optional<Timestamp> window_start;  // libnice's last_received; nullopt = 0 (unset)
  bool have = true;
  Timestamp next_rtcp = origin + 1s;
  Timestamp last_inbound = origin;
  Timestamp armed_at = origin;
  auto alive = [&](Timestamp t) { return !link.dies_at || t - origin < *link.dies_at; };
  auto through = [&](double loss, Timestamp t) { return alive(t) && unit(rng) >= loss; };

  for (Timestamp t = origin; t - origin < length; t += step) {
    if (t >= next_check) {
      next_check = t + uniform_ms(4000, 6000);
      if (have && !window_start) window_start = t;
      if (through(link.loss_to_peer, t) && through(link.loss_from_peer, t)) {
        window_start = t;
        outcome.last_sign_of_life = t - origin;
        if (t - armed_at > 4500ms) outcome.last_visible_sign = t - origin;
      }
    }
    if (link.sends_rtcp && t >= next_rtcp) {
      next_rtcp += 1s;
      if (through(link.loss_from_peer, t)) {
        last_inbound = t;
        outcome.last_sign_of_life = t - origin;
        outcome.last_visible_sign = t - origin;
      }
    }
    if (have && window_start && t - *window_start >= window) {
      have = false;
      if (link.final_first_failure) {
        outcome.failed_at = t - origin;
        return outcome;
      }
      const ConsentVerdict verdict = consent.on_checks_failed(t, last_inbound);
      if (verdict == ConsentVerdict::Suspect) {
        ++outcome.rearms;
        have = true;  // nice_agent_set_selected_pair: consent back, timers cleared
        armed_at = t;
        window_start.reset();
        next_check = t + uniform_ms(0, 4000);
      } else {
        EXPECT_EQ(verdict, ConsentVerdict::Expired) << "seed " << seed;
        outcome.failed_at = t - origin;
        return outcome;
      }
    }
    if (std::optional<Timestamp> deadline = consent.deadline(); deadline && t >= *deadline) {
      if (consent.on_timer(t, last_inbound) == ConsentVerdict::Expired) {
        outcome.failed_at = t - origin;
        return outcome;
      }
    }
  }
  return outcome;
}

constexpr unsigned kSeeds = 1000;

int failures_within(const Link& link, Duration length) {
  int failed = 0;
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    failed += run(link, seed, length).failed_at.has_value() ? 1 : 0;
  }
  return failed;
}

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

TEST(ConsentLinkModelTest, WithoutTheCoreMostLossyReceiversAreRemovedWithinAMinute) {
  // The bug as reported: libnice's first FAILED taken as final.
  Link link{.loss_to_peer = 0.2, .sends_rtcp = true, .final_first_failure = true};
  const int failed = failures_within(link, 60s);
  std::printf("libnice alone, 20 %% loss to the receiver: %d of %u removed within 60 s\n", failed,
              kSeeds);
  EXPECT_GT(failed, static_cast<int>(kSeeds) / 4);
}

TEST(ConsentLinkModelTest, AReceiverLosingTwentyPercentStaysForAMinute) {
  Link link{.loss_to_peer = 0.2, .sends_rtcp = true};
  EXPECT_EQ(failures_within(link, 60s), 0);
  // And for ten minutes.
  EXPECT_EQ(failures_within(link, 600s), 0);
}

TEST(ConsentLinkModelTest, ASilentPeerLosingTwentyPercentOfItsChecksStaysForAMinute) {
  // No datagram at all: only libnice's checks speak for it.
  Link link{.loss_to_peer = 0.2};
  int rearmed_runs = 0;
  int failed = 0;
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    Outcome outcome = run(link, seed, 60s);
    failed += outcome.failed_at ? 1 : 0;
    rearmed_runs += outcome.rearms > 0 ? 1 : 0;
  }
  std::printf("silent peer, 20 %% loss: %d of %u runs re-armed libnice's checks, %d removed\n",
              rearmed_runs, kSeeds, failed);
  EXPECT_GT(rearmed_runs, static_cast<int>(kSeeds) / 2);  // the model does reach the re-arm
  // The blind spot (consent_freshness.hpp): answers to the first check after a re-arm are not
  // seen, so a few silent peers go early; without the core 671 in 1000 went.
  EXPECT_LE(failed, static_cast<int>(kSeeds) / 50);
}

TEST(ConsentLinkModelTest, BothWaysFortyPercentLossStillStaysWithDatagrams) {
  // 64 % of the checks and 40 % of the datagrams lost: a datagram still arrives every few s.
  Link link{.loss_to_peer = 0.4, .loss_from_peer = 0.4, .sends_rtcp = true};
  EXPECT_EQ(failures_within(link, 60s), 0);
}

void expect_dead_link_declared(const Link& link, double min_after_death) {
  std::vector<double> after_death;
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    Outcome outcome = run(link, seed, 200s);
    ASSERT_TRUE(outcome.failed_at) << "seed " << seed;
    // RFC 7675: never sooner than 30 s after the last answer or datagram we could see.
    EXPECT_GE(*outcome.failed_at - outcome.last_visible_sign, 30s) << "seed " << seed;
    if (link.sends_rtcp) {
      EXPECT_GE(*outcome.failed_at - outcome.last_sign_of_life, 30s) << "seed " << seed;
    }
    after_death.push_back(seconds(*outcome.failed_at - *link.dies_at));
  }
  std::sort(after_death.begin(), after_death.end());
  std::printf("declared gone after its death: min %.2f s, median %.2f s, max %.2f s\n",
              after_death.front(), after_death[after_death.size() / 2], after_death.back());
  EXPECT_GE(after_death.front(), min_after_death);
  EXPECT_LE(after_death.back(), 46.0);
}

TEST(ConsentLinkModelTest, ADeadReceiverIsDeclaredGoneThirtyToFortySixSecondsAfterItsLastRtcp) {
  // Its RTCP (one a second, the last at 19 s) stops with it at 20 s, after 20 s of 20 % loss.
  expect_dead_link_declared({.loss_to_peer = 0.2, .sends_rtcp = true, .dies_at = 20s}, 29.0);
}

TEST(ConsentLinkModelTest, ADeadSilentPeerIsDeclaredGoneThirtySecondsAfterItsLastVisibleAnswer) {
  // Its last answer came up to one check interval before it died, and answers in the blind
  // spot do not count: no lower bound after its death, only after what the core could see.
  expect_dead_link_declared({.loss_to_peer = 0.2, .dies_at = 20s}, 0.0);
}

}  // namespace
}  // namespace rrtc::ice
