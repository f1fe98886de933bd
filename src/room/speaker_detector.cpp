#include "room/speaker_detector.hpp"

#include <algorithm>

namespace rrtc::room {
namespace {

constexpr double kFloorDbov = 80;
constexpr std::int32_t kSilence = 127;
constexpr std::int32_t kSmoothingShift = 3;  // weight 1/8 per packet

}  // namespace

double level_of_dbov(double dbov) noexcept {
  return std::clamp((kFloorDbov - dbov) / kFloorDbov, 0.0, 1.0);
}

SpeakerDetector::Source SpeakerDetector::add() {
  Source source = 0;
  if (!free_.empty()) {
    source = free_.back();
    free_.pop_back();
  } else {
    source = static_cast<Source>(sources_.size());
    sources_.emplace_back();
    // remove() returns a slot to free_ without allocating.
    free_.reserve(sources_.size());
  }
  sources_[source] = State{};
  sources_[source].used = true;
  return source;
}

void SpeakerDetector::remove(Source source) noexcept {
  if (source >= sources_.size() || !sources_[source].used) return;
  sources_[source] = State{};
  free_.push_back(source);
}

void SpeakerDetector::reset(Source source) noexcept {
  if (source >= sources_.size() || !sources_[source].used) return;
  sources_[source] = State{};
  sources_[source].used = true;
}

void SpeakerDetector::expire(State& state, time::Timestamp now) const noexcept {
  if (state.floor && now - state.last_voiced >= options_.hangover) state.floor = false;
  if (state.in_run && !state.floor && now - state.last_voiced > options_.run_gap) {
    state.in_run = false;
  }
}

void SpeakerDetector::on_level(Source source, std::uint8_t byte, time::Timestamp now) noexcept {
  if (source >= sources_.size() || !sources_[source].used) return;
  State& state = sources_[source];
  const std::int32_t level = byte & 0x7f;
  const std::int32_t loudness = (kSilence - level) << 8;
  // Integer exponential average: (x - s) / 8 truncates towards zero, the same on every run.
  state.loudness_q8 += (loudness - state.loudness_q8) / (1 << kSmoothingShift);
  expire(state, now);
  if (level > options_.voiced_level) return;
  heard_voice_ = true;
  if (!state.in_run) {
    state.in_run = true;
    state.run_start = now;
    // Speech after silence starts the average at its own level: a new speaker is not ranked
    // below one already speaking for the silence it broke, nor announced with its level.
    if (!state.floor) state.loudness_q8 = std::max(state.loudness_q8, loudness);
  }
  state.last_voiced = now;
  if (now - state.run_start >= options_.onset) state.floor = true;
}

void SpeakerDetector::speakers(time::Timestamp now, std::vector<Speaker>& out) noexcept {
  heard_voice_ = false;
  out.clear();
  for (Source source = 0; source < sources_.size(); ++source) {
    State& state = sources_[source];
    if (!state.used) continue;
    expire(state, now);
    // The smoothed loudness travels in `level` until the sort; converted after it.
    if (state.floor) out.push_back({source, static_cast<double>(state.loudness_q8)});
  }
  std::sort(out.begin(), out.end(), [](const Speaker& a, const Speaker& b) {
    return a.level != b.level ? a.level > b.level : a.source < b.source;
  });
  for (auto& speaker : out) {
    speaker.level = level_of_dbov(kSilence - speaker.level / 256.0);
  }
}

bool SpeakerDetector::idle(time::Timestamp now) const noexcept {
  return std::none_of(sources_.begin(), sources_.end(), [&](const State& state) {
    if (!state.used) return false;
    if (state.floor) return now - state.last_voiced < options_.hangover;
    return state.in_run && now - state.last_voiced <= options_.run_gap;
  });
}

}  // namespace rrtc::room
