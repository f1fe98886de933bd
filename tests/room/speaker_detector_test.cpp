// The speaker detector on generated level sequences: every source sends a packet every 20 ms
// (or none, as Opus DTX does in silence), and the room evaluates every 200 ms, as MediaRoom
// does. Each test states the exact evaluations at which the list changes.
#include "room/speaker_detector.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rrtc::room {
namespace {

using std::chrono::milliseconds;
using Source = SpeakerDetector::Source;

constexpr std::uint8_t kSpeech = 30;   // -30 dBov
constexpr std::uint8_t kLoud = 20;     // -20 dBov
constexpr std::uint8_t kSilent = 127;  // digital silence
constexpr std::uint8_t kNoise = 60;    // -60 dBov: background, not voiced

time::Timestamp at(int ms) { return time::Timestamp(time::to_duration(milliseconds(ms))); }

// What one source sends at `ms`: a level byte, or nothing (DTX).
using Script = std::function<std::optional<std::uint8_t>(int ms)>;

// Speech at `level` in [from, to), silent packets elsewhere.
Script speaks(int from, int to, std::uint8_t level = kSpeech) {
  return [=](int ms) -> std::optional<std::uint8_t> {
    return ms >= from && ms < to ? level : kSilent;
  };
}

struct Change {
  int ms = 0;
  std::vector<Source> speakers;
  friend bool operator==(const Change&, const Change&) = default;
};

std::string describe(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& change : changes) {
    out += std::to_string(change.ms) + ":[";
    for (const auto s : change.speakers) out += std::to_string(s) + " ";
    out += "] ";
  }
  return out;
}

// Runs `scripts` (one per source, added in order) for `duration_ms`; returns the evaluations
// whose list differs from the previous one.
std::vector<Change> run(const std::vector<Script>& scripts, int duration_ms,
                        SpeakerDetector* detector_out = nullptr,
                        std::vector<SpeakerDetector::Speaker>* last = nullptr) {
  SpeakerDetector local;
  SpeakerDetector& detector = detector_out != nullptr ? *detector_out : local;
  std::vector<Source> sources;
  for (std::size_t i = 0; i < scripts.size(); ++i) sources.push_back(detector.add());
  std::vector<Change> changes;
  std::vector<Source> previous;
  std::vector<SpeakerDetector::Speaker> speakers;
  for (int ms = 0; ms <= duration_ms; ms += 20) {
    for (std::size_t i = 0; i < scripts.size(); ++i) {
      if (const auto level = scripts[i](ms)) detector.on_level(sources[i], *level, at(ms));
    }
    if (ms % 200 != 0) continue;
    detector.speakers(at(ms), speakers);
    std::vector<Source> now;
    for (const auto& s : speakers) now.push_back(s.source);
    if (now != previous) changes.push_back({ms, now});
    previous = now;
    if (last != nullptr) *last = speakers;
  }
  return changes;
}

TEST(SpeakerDetector, TurnTakingHandsTheFloorFromAToB) {
  // A speaks 0-2 s, B 2.5-4.5 s. A takes the floor after 300 ms of speech (evaluated at 400);
  // its last voiced packet is at 1980 and the hangover (800 ms) ends its turn at 2780, when
  // B's 300 ms of speech (from 2500) have given it the floor: the 2800 evaluation swaps them.
  // B's last voiced packet is at 4480: its turn ends at 5280, seen at 5400.
  const auto changes = run({speaks(0, 2000), speaks(2500, 4500)}, 6000);
  const std::vector<Change> expected{{400, {0}}, {2800, {1}}, {5400, {}}};
  EXPECT_EQ(changes, expected) << describe(changes);
}

TEST(SpeakerDetector, ACoughDuringATurnDoesNotTakeTheFloor) {
  // C coughs twice, louder than A speaks: 280 ms at 1000 and 200 ms at 2000 (runs shorter
  // than the 300 ms onset, the pause between them longer than the 200 ms run gap).
  const auto cough = [](int ms) -> std::optional<std::uint8_t> {
    if (ms >= 1000 && ms < 1280) return std::uint8_t{5};
    if (ms >= 2000 && ms < 2200) return std::uint8_t{5};
    return kSilent;
  };
  const auto changes = run({speaks(0, 3000), cough}, 4000);
  const std::vector<Change> expected{{400, {0}}, {3800, {}}};
  EXPECT_EQ(changes, expected) << describe(changes);
}

TEST(SpeakerDetector, ACoughAloneIsNeverASpeaker) {
  SpeakerDetector detector;
  const auto changes = run({speaks(1000, 1280, 5)}, 3000, &detector);
  EXPECT_TRUE(changes.empty()) << describe(changes);
  EXPECT_TRUE(detector.idle(at(3000)));
}

TEST(SpeakerDetector, OverlappingSpeechListsBothLoudestFirst) {
  // A at -30 dBov from 0, B at -20 dBov from 1000: both speak past the end (2800). B's average
  // starts at its own level, above A's, so B leads from the evaluation after its onset.
  std::vector<SpeakerDetector::Speaker> last;
  SpeakerDetector detector;
  const auto changes = run({speaks(0, 3000), speaks(1000, 3000, kLoud)}, 2800, &detector, &last);
  const std::vector<Change> expected{{400, {0}}, {1400, {1, 0}}};
  EXPECT_EQ(changes, expected) << describe(changes);
  ASSERT_EQ(last.size(), 2U);
  // Each run started its average at its own level, and the level stayed: -20 dBov reads
  // (80 - 20) / 80 = 0.75, -30 dBov 0.625.
  EXPECT_DOUBLE_EQ(last[0].level, 0.75);
  EXPECT_DOUBLE_EQ(last[1].level, 0.625);
}

TEST(SpeakerDetector, OverlapOrderFollowsWhoIsLouderNow) {
  // A loud then normal, B normal then loud: the order swaps once both levels have settled.
  const auto a = [](int ms) -> std::optional<std::uint8_t> { return ms < 2000 ? kLoud : kSpeech; };
  const auto b = [](int ms) -> std::optional<std::uint8_t> { return ms < 2000 ? kSpeech : kLoud; };
  const auto changes = run({a, b}, 3000);
  // From 2000 each packet moves both averages an eighth of the way to the new levels: they
  // cross at the sixth (2100), seen at 2200.
  const std::vector<Change> expected{{400, {0, 1}}, {2200, {1, 0}}};
  EXPECT_EQ(changes, expected) << describe(changes);
}

TEST(SpeakerDetector, SilenceWithoutPacketsEndsATurnWithinASecond) {
  // A speaks until 1000 and then sends nothing (DTX): its last voiced packet is at 980, the
  // hangover ends the turn at 1780, seen at 1800: 800 ms after it fell silent.
  const auto dtx = [](int ms) -> std::optional<std::uint8_t> {
    return ms < 1000 ? std::optional<std::uint8_t>(kSpeech) : std::nullopt;
  };
  SpeakerDetector detector;
  const auto changes = run({dtx}, 3000, &detector);
  const std::vector<Change> expected{{400, {0}}, {1800, {}}};
  EXPECT_EQ(changes, expected) << describe(changes);
  EXPECT_TRUE(detector.idle(at(1800)));
  EXPECT_FALSE(detector.heard_voice());
}

TEST(SpeakerDetector, PausesBetweenSentencesKeepTheTurn) {
  // 500 ms pauses (background noise, not voiced) between one-second sentences.
  const auto sentences = [](int ms) -> std::optional<std::uint8_t> {
    return ms % 1500 < 1000 ? kSpeech : kNoise;
  };
  const auto changes = run({sentences}, 4400);
  const std::vector<Change> expected{{400, {0}}};
  EXPECT_EQ(changes, expected) << describe(changes);
}

TEST(SpeakerDetector, SpeechAfterSilenceIsMeasuredFromItsFirstPacketThenSmoothed) {
  SpeakerDetector detector;
  const Source a = detector.add();
  for (int ms = 0; ms < 1000; ms += 20) detector.on_level(a, kSilent, at(ms));
  // Speech at -30 dBov with a single -60 dBov packet inside the run (at 1200).
  for (int ms = 1000; ms <= 1400; ms += 20) {
    detector.on_level(a, ms == 1200 ? kNoise : kSpeech, at(ms));
  }
  std::vector<SpeakerDetector::Speaker> out;
  detector.speakers(at(1400), out);
  ASSERT_EQ(out.size(), 1U);
  // loudness 97 * 256 = 24832; the noise packet moves it (67 - 97) * 256 / 8 = -960 to 23872;
  // the ten -30 dBov packets after it bring it back an eighth of the gap each (truncated): 24577.
  EXPECT_DOUBLE_EQ(out[0].level, level_of_dbov(127 - 24577 / 256.0));
}

TEST(SpeakerDetector, TheVoiceActivityBitIsIgnored) {
  const auto flagged = speaks(0, 1000, static_cast<std::uint8_t>(0x80 | kSpeech));
  const auto changes = run({flagged}, 2000);
  const std::vector<Change> expected{{400, {0}}, {1800, {}}};
  EXPECT_EQ(changes, expected) << describe(changes);
}

TEST(SpeakerDetector, ResetDropsASpeakerAtOnce) {
  SpeakerDetector detector;
  const Source a = detector.add();
  for (int ms = 0; ms <= 400; ms += 20) detector.on_level(a, kSpeech, at(ms));
  std::vector<SpeakerDetector::Speaker> out;
  detector.speakers(at(400), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_FALSE(detector.idle(at(400)));
  detector.reset(a);
  detector.speakers(at(420), out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(detector.idle(at(420)));
}

TEST(SpeakerDetector, RemovedSourcesLeaveAndTheirSlotIsReused) {
  SpeakerDetector detector;
  const Source a = detector.add();
  const Source b = detector.add();
  for (int ms = 0; ms <= 400; ms += 20) {
    detector.on_level(a, kSpeech, at(ms));
    detector.on_level(b, kLoud, at(ms));
  }
  std::vector<SpeakerDetector::Speaker> out;
  detector.speakers(at(400), out);
  ASSERT_EQ(out.size(), 2U);
  detector.remove(b);
  detector.on_level(b, kLoud, at(420));  // a late packet for a removed source is ignored
  detector.speakers(at(420), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].source, a);
  EXPECT_EQ(detector.add(), b);
  EXPECT_EQ(detector.capacity(), 2U);
  detector.speakers(at(440), out);
  ASSERT_EQ(out.size(), 1U);  // the new source in b's slot starts silent
}

TEST(SpeakerDetector, IdleUntilAVoicedRunCanStillTakeTheFloor) {
  SpeakerDetector detector;
  const Source a = detector.add();
  EXPECT_TRUE(detector.idle(at(0)));
  detector.on_level(a, kNoise, at(0));
  EXPECT_FALSE(detector.heard_voice());
  EXPECT_TRUE(detector.idle(at(0)));
  detector.on_level(a, kSpeech, at(20));
  EXPECT_TRUE(detector.heard_voice());
  EXPECT_FALSE(detector.idle(at(220)));  // within the run gap: more speech may follow
  EXPECT_TRUE(detector.idle(at(221)));
}

TEST(SpeakerDetector, LevelsAreLinearInDecibelsOverMinus80To0Dbov) {
  EXPECT_DOUBLE_EQ(level_of_dbov(0), 1.0);
  EXPECT_DOUBLE_EQ(level_of_dbov(40), 0.5);
  EXPECT_DOUBLE_EQ(level_of_dbov(50), 0.375);
  EXPECT_DOUBLE_EQ(level_of_dbov(80), 0.0);
  EXPECT_DOUBLE_EQ(level_of_dbov(127), 0.0);
}

}  // namespace
}  // namespace rrtc::room
