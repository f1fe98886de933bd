#include "room/allocator.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace rrtc::room {
namespace {

constexpr std::uint64_t kAudioDefault = 40'000;
constexpr std::uint64_t kSingleLayerDefault = 1'000'000;
// {pixels up to, bit/s}: a typical Chromium VP8 ladder (180p/240p, 360p/480p, 720p, above).
constexpr struct {
  std::uint64_t pixels;
  std::uint64_t bitrate;
} kBySize[] = {{320ULL * 240, 150'000}, {640ULL * 480, 500'000}, {1280ULL * 720, 1'500'000}};
constexpr std::uint64_t kLargeDefault = 2'500'000;
constexpr std::uint64_t kByIndex[] = {150'000, 500'000, 1'500'000};

constexpr AllocationPriority kVideoOrder[] = {
    AllocationPriority::screen, AllocationPriority::speaker, AllocationPriority::camera};

// What moving to `layer` needs to fit: its bitrate, plus the headroom when it is above the layer
// forwarded now (from paused, every layer is).
std::uint64_t needed(std::uint64_t bitrate, int layer, int current) noexcept {
  if (layer <= current) return bitrate;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  if (bitrate > kMax / kUpgradeHeadroomPercent) return kMax;
  return bitrate * kUpgradeHeadroomPercent / 100;
}

// The layers a track may get: [low, high], both active; low -1 when no layer is active.
struct Allowed {
  int low = -1;
  int high = -1;
};

// The cap of track_settings' max_width / max_height: the smallest layer at least as large as
// asked in every dimension asked, else the top layer.
int settings_cap(const AllocationInput& track) noexcept {
  const int top = static_cast<int>(track.layers.size()) - 1;
  const auto& s = track.settings;
  if (s.max_width == 0 && s.max_height == 0) return top;
  for (int i = 0; i <= top; ++i) {
    const LayerRate& l = track.layers[static_cast<std::size_t>(i)];
    if (l.width == 0 || l.height == 0) continue;  // unknown size: never "large enough"
    if (l.width >= s.max_width && l.height >= s.max_height) return i;
  }
  return top;
}

Allowed allowed_layers(const AllocationInput& track) noexcept {
  Allowed a;
  const int cap = settings_cap(track);
  for (int i = 0; i < static_cast<int>(track.layers.size()); ++i) {
    if (!track.layers[static_cast<std::size_t>(i)].active) continue;
    if (a.low < 0) a.low = i;
    if (i <= cap) a.high = i;
  }
  // Every active layer is above the cap: the smallest one still beats showing nothing.
  if (a.low >= 0 && a.high < 0) a.high = a.low;
  return a;
}

// Settings and publisher verdicts that hold whatever the estimate: true when `out` is final.
bool decided_without_bandwidth(const AllocationInput& track, const Allowed& allowed,
                               AllocationOutput& out) noexcept {
  if (track.settings.paused) {
    out = {-1, StreamPause::requested};
    return true;
  }
  if (allowed.low < 0) {
    out = {-1, StreamPause::publisher};
    return true;
  }
  return false;
}

// The highest allowed active layer of `track` whose need fits in `budget`; -1 if none does.
int highest_fitting(const AllocationInput& track, const Allowed& allowed,
                    std::uint64_t budget) noexcept {
  for (int i = allowed.high; i >= allowed.low; --i) {
    if (!track.layers[static_cast<std::size_t>(i)].active) continue;
    const auto rate = layer_bitrate(track.priority, track.layers, i);
    if (needed(rate, i, track.current_layer) <= budget) return i;
  }
  return -1;
}

}  // namespace

std::uint64_t default_layer_bitrate(AllocationPriority priority, const LayerRate& layer, int index,
                                    std::size_t layer_count) noexcept {
  if (priority == AllocationPriority::audio) return kAudioDefault;
  if (layer.width != 0 && layer.height != 0) {
    const std::uint64_t pixels = std::uint64_t{layer.width} * layer.height;
    for (const auto& row : kBySize) {
      if (pixels <= row.pixels) return row.bitrate;
    }
    return kLargeDefault;
  }
  if (layer_count <= 1) return kSingleLayerDefault;
  const auto i = static_cast<std::size_t>(std::clamp(index, 0, 2));
  return kByIndex[i];
}

std::uint64_t layer_bitrate(AllocationPriority priority, std::span<const LayerRate> layers,
                            int index) noexcept {
  assert(index >= 0 && static_cast<std::size_t>(index) < layers.size());
  const LayerRate& layer = layers[static_cast<std::size_t>(index)];
  if (layer.bitrate != 0) return layer.bitrate;
  return default_layer_bitrate(priority, layer, index, layers.size());
}

void allocate(std::uint64_t available, std::span<const AllocationInput> in,
              std::span<AllocationOutput> out) noexcept {
  assert(out.size() >= in.size());
  const bool unlimited = available == 0;
  std::uint64_t left = available;

  // Audio first, always, and every video track's verdicts that do not depend on bandwidth.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Allowed allowed = allowed_layers(in[i]);
    if (decided_without_bandwidth(in[i], allowed, out[i])) continue;
    if (unlimited || in[i].priority == AllocationPriority::audio) {
      out[i] = {allowed.high, StreamPause::none};
      if (!unlimited) {
        left -= std::min(left, layer_bitrate(in[i].priority, in[i].layers, allowed.high));
      }
      continue;
    }
    out[i] = {-1, StreamPause::bandwidth};  // until pass 1 finds room for it
  }
  if (unlimited) return;

  // Pass 1: the lowest allowed layer of every video track, by priority, while it fits.
  for (const AllocationPriority priority : kVideoOrder) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i].priority != priority || out[i].paused != StreamPause::bandwidth) continue;
      const Allowed allowed = allowed_layers(in[i]);
      const auto rate = layer_bitrate(priority, in[i].layers, allowed.low);
      // Already forwarding its lowest layer: kept while kKeepLowestPercent of it fits.
      const std::uint64_t need = in[i].current_layer == allowed.low
                                     ? rate * kKeepLowestPercent / 100
                                     : needed(rate, allowed.low, in[i].current_layer);
      if (need > left && !in[i].keep_lowest) continue;
      out[i] = {allowed.low, StreamPause::none, need > left};
      left -= std::min(left, rate);
    }
  }

  // Pass 2: raise each track, by priority, to the highest allowed layer that fits in what is
  // left plus what it holds (its pass-1 layer always fits in that, so it never loses it here).
  for (const AllocationPriority priority : kVideoOrder) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i].priority != priority || out[i].layer < 0) continue;
      const Allowed allowed = allowed_layers(in[i]);
      const std::uint64_t budget = left + layer_bitrate(priority, in[i].layers, out[i].layer);
      const int best = std::max(highest_fitting(in[i], allowed, budget), out[i].layer);
      out[i].layer = best;
      left = budget - layer_bitrate(priority, in[i].layers, best);
    }
  }
}

int temporal_layer_for_fps(std::uint32_t max_fps, std::uint32_t full_fps,
                           int temporal_layers) noexcept {
  const int top = std::clamp(temporal_layers, 1, 8) - 1;
  if (max_fps == 0 || max_fps >= full_fps) return top;
  for (int t = top; t > 0; --t) {
    // Layer t carries full_fps / 2^(top - t) frames per second.
    if ((std::uint64_t{max_fps} << (top - t)) >= full_fps) return t;
  }
  return 0;
}

}  // namespace rrtc::room
