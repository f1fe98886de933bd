#pragma once
// Per-subscriber layer allocation (issue 17 "Allocate"): one subscriber's downlink estimate is
// shared across the tracks it receives, and each track gets the spatial layer it can have.
//
// The rules, in order:
// - Priority, high to low: audio, screen, the camera of whoever speaks, the other cameras; ties
//   keep the input order. Audio is always allocated (one LayerRate) and its bitrate is taken
//   from the estimate first, whether it fits or not: losing audio is worse than any video.
// - Settings (PROTOCOL.md v1.1 track_settings): `paused` -> StreamPause::requested, layer -1.
//   max_width / max_height cap the layer at the smallest layer at least as large as asked in
//   every dimension asked (0: not asked), or the top layer if none is (LiveKit does the same);
//   a layer of unknown size (0x0) never counts as large enough. max_fps is not a layer choice:
//   the caller drops temporal layers with temporal_layer_for_fps() below.
// - Layers marked !active (the publisher stopped sending them) are skipped; a track with no
//   active layer is paused with StreamPause::publisher.
// - Two passes, as mediasoup and LiveKit do: first every track, by priority, gets its lowest
//   allowed layer if that fits in what is left (a track that does not fit is paused with
//   StreamPause::bandwidth and reserves nothing, so a lower-priority track whose lowest layer is
//   cheaper may still get it); then, by priority, each track is raised to the highest allowed
//   layer that fits in what is left plus what it already holds (the first track gets all it can
//   before the next is raised: the screen share, then the speaker, stay sharp).
// - Hysteresis against flapping when the estimate hovers at a boundary: keeping the current
//   layer, or any lower one, needs its bitrate to fit; any layer above `current_layer` (from
//   paused, -1, that is every layer) needs kUpgradeHeadroom (15 %) more than its bitrate.
// - A track already forwarding its lowest allowed layer is paused only when less than
//   kKeepLowestPercent (60 %) of that layer's bitrate is left for it. While only the lowest
//   layer flows, the estimate cannot show headroom above what is sent (an over-use sets it to
//   0.85 x the acknowledged bitrate, and jitter on a busy receiver reads as over-use), so a dip
//   of 15-40 % is no reason to freeze the picture; a link that cannot carry the layer (100
//   kbit/s) takes the estimate far lower.
// - A track marked keep_lowest (the Router's grace before a bandwidth pause) whose lowest layer
//   does not fit gets it anyway in pass 1, in its priority's turn, and it counts against what
//   is left like any other: lower-priority tracks see the budget it takes.
// - `available` 0 means no estimate yet: no bandwidth limit (every track gets its highest allowed
//   active layer; settings still apply).
// - A LayerRate with bitrate 0 (not measured yet) counts as default_layer_bitrate(): audio 40
//   kbit/s; video by the layer's pixels (width x height): <= 320x240 150 kbit/s, <= 640x480 500
//   kbit/s, <= 1280x720 1.5 Mbit/s, larger 2.5 Mbit/s; a video layer of unknown size (0x0) by its
//   place among the track's layers: 150 kbit/s, 500 kbit/s, 1.5 Mbit/s from the lowest, and a
//   track with one layer 1 Mbit/s. The table is a typical Chromium VP8 simulcast ladder.
//
// Pure: no clock, no allocation, no state between calls (current_layer carries what hysteresis
// needs). Any thread; one call at a time per `out`.

#include <cstdint>
#include <span>

#include "room/media_backend.hpp"
#include "room/track.hpp"

namespace rrtc::room {

enum class AllocationPriority : std::uint8_t { audio, screen, speaker, camera };  // high to low

// What one layer of a track costs now, and whether the publisher sends it.
struct LayerRate {
  std::uint64_t bitrate = 0;  // bit/s measured, 0: not measured yet (default_layer_bitrate)
  std::uint32_t width = 0;    // 0: unknown
  std::uint32_t height = 0;
  bool active = true;  // false: the publisher stopped sending this layer
};

struct AllocationInput {
  AllocationPriority priority = AllocationPriority::camera;
  std::span<const LayerRate> layers;  // low to high; 1 entry if not simulcast (audio too)
  TrackSettings settings;
  int current_layer = -1;  // the layer forwarded now, -1: paused or nothing yet (hysteresis)
  // Keep its lowest allowed layer even when that does not fit: taken from what is left, by
  // priority, as if it fitted, and reported `squeezed` (the Router's kBandwidthPauseGrace).
  bool keep_lowest = false;
};

struct AllocationOutput {
  int layer = -1;  // index into AllocationInput::layers, -1: forward nothing
  StreamPause paused = StreamPause::none;
  bool squeezed = false;  // kept only because of keep_lowest: it would be paused for bandwidth
  friend bool operator==(const AllocationOutput&, const AllocationOutput&) = default;
};

// Going above the current layer needs this much more than the layer's bitrate: 115/100.
inline constexpr std::uint64_t kUpgradeHeadroomPercent = 115;
// A track forwarding its lowest layer keeps it while this share of its bitrate fits: 60/100.
inline constexpr std::uint64_t kKeepLowestPercent = 60;

// available: the subscriber's estimate in bit/s (0 = unknown: no bandwidth limit).
// `out` has in.size() entries (extra entries are left alone); out[i] answers in[i].
void allocate(std::uint64_t available, std::span<const AllocationInput> in,
              std::span<AllocationOutput> out) noexcept;

// The bitrate allocate() counts for layer `index` of `layers`: the measured one, else the
// default table above.
std::uint64_t layer_bitrate(AllocationPriority priority, std::span<const LayerRate> layers,
                            int index) noexcept;

// The default for an unmeasured layer (the table above).
std::uint64_t default_layer_bitrate(AllocationPriority priority, const LayerRate& layer, int index,
                                    std::size_t layer_count) noexcept;

// The highest temporal layer (TID) to forward so the frame rate stays at or under `max_fps`, for
// a source at `full_fps` with `temporal_layers` layers where layer t carries full_fps /
// 2^(temporal_layers - 1 - t) (VP8 L1T3 at 30 fps: 7.5, 15, 30). max_fps 0 (no limit) or at
// least full_fps: the top layer; below the lowest layer's rate: 0 (the base layer is never
// dropped: pausing is what `paused` is for).
int temporal_layer_for_fps(std::uint32_t max_fps, std::uint32_t full_fps = 30,
                           int temporal_layers = 3) noexcept;

}  // namespace rrtc::room
