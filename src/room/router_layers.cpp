// Simulcast layers of a published track (router.hpp, "Simulcast"): each layer's measured
// bitrate, its size from key frames, and the spatial order of the layers, which is decided from
// what they carry, never from their position in the offer (Chromium and Firefox list them in
// different orders, and apps name rids as they like).
#include <algorithm>

#include "room/router.hpp"
#include "room/router_members.hpp"

namespace rrtc::room {

void Router::count_layer(UpTrack& up, int index, std::size_t size, time::Timestamp now) noexcept {
  UpLayer& layer = up.layers[static_cast<std::size_t>(index)];
  // A layer silent for kLayerTimeout (stopped by its publisher, or paused by publish_layers and
  // not noticed as stopped yet) starts a new window: its silence is no part of its bitrate, and
  // until a window of new packets rolls, the bitrate measured before the silence stands.
  const bool resumed = layer.window_open && now - layer.last_packet >= kLayerTimeout;
  layer.last_packet = now;
  if (layer.stopped) {
    // The publisher sends it again: allocation may choose it.
    layer.stopped = false;
    mark_subscribers(up, now, true);
  }
  if (!layer.window_open || resumed) {
    layer.window_open = true;
    layer.window_start = now;
    layer.window_bytes = size;
    return;
  }
  layer.window_bytes += size;
  if (now - layer.window_start >= kRateWindow) roll_window(up, index, now);
}

void Router::roll_window(UpTrack& up, int index, time::Timestamp now) noexcept {
  UpLayer& layer = up.layers[static_cast<std::size_t>(index)];
  const auto elapsed = static_cast<std::uint64_t>((now - layer.window_start).count());  // us
  layer.bitrate = layer.window_bytes * 8 * 1'000'000 / std::max<std::uint64_t>(elapsed, 1);
  layer.window_bytes = 0;
  layer.window_start = now;
  // Material: a first measurement, or a quarter away from what allocation last used.
  const std::uint64_t before = layer.allocated_bitrate;
  const std::uint64_t delta = layer.bitrate > before ? layer.bitrate - before : before - layer.bitrate;
  bool changed = before == 0 || delta * 4 > before;
  // The other layers this track should be sending: one silent for kLayerTimeout was stopped by
  // its publisher (bandwidth, CPU, or our own publish_layers).
  for (auto& other : up.layers) {
    if (&other == &layer || other.ssrc == 0 || other.stopped) continue;
    if (now - other.last_packet >= kLayerTimeout) {
      other.stopped = true;
      changed = true;
    }
  }
  if (!changed) return;
  layer.allocated_bitrate = layer.bitrate;
  reorder(up);
  mark_subscribers(up, now, up.simulcast());
}

void Router::learn_size(UpTrack& up, int index, std::uint32_t width, std::uint32_t height,
                        time::Timestamp now) noexcept {
  UpLayer& layer = up.layers[static_cast<std::size_t>(index)];
  if (layer.width == width && layer.height == height) return;
  layer.width = width;
  layer.height = height;
  reorder(up);
  // stream_state carries the size; a simulcast track's order and caps may have changed.
  mark_subscribers(up, now, up.simulcast());
}

void Router::reorder(UpTrack& up) noexcept {
  // Is layer a below layer b? By what is known of both, best first: the size of their key
  // frames, their measured bitrates, their rid restrictions; else the offer's order.
  const auto below = [&](std::size_t a, std::size_t b) {
    const UpLayer& la = up.layers[a];
    const UpLayer& lb = up.layers[b];
    const std::uint64_t area_a = std::uint64_t{la.width} * la.height;
    const std::uint64_t area_b = std::uint64_t{lb.width} * lb.height;
    if (area_a != 0 && area_b != 0 && area_a != area_b) return area_a < area_b;
    if (la.bitrate != 0 && lb.bitrate != 0 && la.bitrate != lb.bitrate) {
      return la.bitrate < lb.bitrate;
    }
    if (up.simulcast()) {
      const PublishedLayer& ra = up.info.layers[a];
      const PublishedLayer& rb = up.info.layers[b];
      const std::uint64_t max_a = std::uint64_t{ra.max_width} * ra.max_height;
      const std::uint64_t max_b = std::uint64_t{rb.max_width} * rb.max_height;
      if (max_a != 0 && max_b != 0 && max_a != max_b) return max_a < max_b;
    }
    return a < b;
  };
  const std::size_t n = up.layers.size();
  for (std::size_t i = 0; i < n; ++i) up.order[i] = static_cast<std::uint8_t>(i);
  // Insertion sort of at most three.
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t j = i; j > 0 && below(up.order[j], up.order[j - 1]); --j) {
      std::swap(up.order[j], up.order[j - 1]);
    }
  }
}

int Router::rank_of(const UpTrack& up, int layer) const noexcept {
  for (std::size_t r = 0; r < up.layers.size(); ++r) {
    if (up.order[r] == layer) return static_cast<int>(r);
  }
  return -1;
}

}  // namespace rrtc::room
