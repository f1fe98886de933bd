#include "ice/consent_freshness.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>

namespace rrtc::ice {
namespace {

using namespace std::chrono_literals;
using time::Duration;
using time::Timestamp;

constexpr Timestamp at(std::chrono::milliseconds ms) { return Timestamp(time::to_duration(ms)); }

// --- The core on hand-made timelines -------------------------------------------------------

TEST(ConsentFreshnessTest, FreshUntilLibniceMissesAWindowAndNoTimerMeanwhile) {
  ConsentFreshness consent;
  consent.start(at(1000ms));
  EXPECT_FALSE(consent.deadline());
  EXPECT_EQ(consent.on_timer(at(50'000ms), at(0ms)), ConsentVerdict::Fresh);
  EXPECT_FALSE(consent.suspect());
}

TEST(ConsentFreshnessTest, AFailureSoonerThanOneWindowAfterArmingIsARevocation) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  // libnice's timeout starts at its first check after connecting: 10 s is the earliest.
  EXPECT_EQ(consent.on_checks_failed(at(9'999ms), at(0ms)), ConsentVerdict::Revoked);
}

TEST(ConsentFreshnessTest, AMissedWindowMakesThePeerSuspectAndTheLastAnswerIsTheEvidence) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  // Answers until 40 s, then libnice's window ends at 50 s.
  EXPECT_EQ(consent.on_checks_failed(at(50'000ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_TRUE(consent.suspect());
  EXPECT_EQ(consent.last_alive(), at(40'000ms));
  EXPECT_EQ(consent.armed_at(), at(50'000ms));
  // Re-armed at 50 s: an unanswered window ends by 50 + 4 + 10; the timer waits 0.5 s more.
  EXPECT_EQ(consent.deadline(), at(64'500ms));
}

TEST(ConsentFreshnessTest, NoMissedWindowAfterTheRearmMeansAnAnswerCame) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.on_timer(at(64'499ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.on_timer(at(64'500ms), at(0ms)), ConsentVerdict::Fresh);
  EXPECT_FALSE(consent.suspect());
  EXPECT_FALSE(consent.deadline());
}

TEST(ConsentFreshnessTest, ExpiresAtTheFirstMissedWindowThirtySecondsAfterTheLastAnswer) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  // Last answer at 40 s; windows (re-armed, first check 2 s later) end at 50, 62, 74 s.
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(0ms)), ConsentVerdict::Suspect);
  ASSERT_EQ(consent.on_checks_failed(at(62'000ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.last_alive(), at(40'000ms));  // 62 - 10 is the re-arm's first check
  EXPECT_EQ(consent.on_checks_failed(at(74'000ms), at(0ms)), ConsentVerdict::Expired);
}

TEST(ConsentFreshnessTest, ALateMissedWindowCarriesTheAnswerThatDelayedIt) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(0ms)), ConsentVerdict::Suspect);
  // The window ending at 66 s began with an answer at 56 s, more than 4 + 0.5 s after the
  // re-arm: that is evidence; the window ending at 78 s is 22 s after it, not 30.
  ASSERT_EQ(consent.on_checks_failed(at(66'000ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.last_alive(), at(56'000ms));
  EXPECT_EQ(consent.on_checks_failed(at(78'000ms), at(0ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.last_alive(), at(56'000ms));
  EXPECT_EQ(consent.on_checks_failed(at(90'000ms), at(0ms)), ConsentVerdict::Expired);
}

TEST(ConsentFreshnessTest, DatagramsAreEvidence) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(49'000ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.last_alive(), at(49'000ms));
  ASSERT_EQ(consent.on_checks_failed(at(62'000ms), at(61'000ms)), ConsentVerdict::Suspect);
  ASSERT_EQ(consent.on_checks_failed(at(74'000ms), at(73'000ms)), ConsentVerdict::Suspect);
  // The datagrams stop at 73 s: expired at the first window end from 103 s on.
  ASSERT_EQ(consent.on_checks_failed(at(86'000ms), at(73'000ms)), ConsentVerdict::Suspect);
  ASSERT_EQ(consent.on_checks_failed(at(98'000ms), at(73'000ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.on_checks_failed(at(110'000ms), at(73'000ms)), ConsentVerdict::Expired);
  EXPECT_EQ(consent.last_alive(), at(73'000ms));
}

TEST(ConsentFreshnessTest, WithoutChecksOnlyDatagramsCountAndTheTimerExpiresIt) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(45'000ms)), ConsentVerdict::Suspect);
  consent.checks_stopped();
  EXPECT_EQ(consent.deadline(), at(75'000ms));
  EXPECT_EQ(consent.on_timer(at(75'000ms), at(60'000ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.deadline(), at(90'000ms));
  EXPECT_EQ(consent.on_timer(at(89'999ms), at(60'000ms)), ConsentVerdict::Suspect);
  EXPECT_EQ(consent.on_timer(at(90'000ms), at(60'000ms)), ConsentVerdict::Expired);
}

TEST(ConsentFreshnessTest, StartAfterAnIceRestartForgetsTheSuspicion) {
  ConsentFreshness consent;
  consent.start(at(0ms));
  ASSERT_EQ(consent.on_checks_failed(at(50'000ms), at(0ms)), ConsentVerdict::Suspect);
  consent.start(at(55'000ms));
  EXPECT_FALSE(consent.suspect());
  EXPECT_FALSE(consent.deadline());
}

}  // namespace
}  // namespace rrtc::ice
