// Per-subscriber allocation (router.hpp, "Simulcast and allocation"): which layer of each
// track a subscriber receives under its estimate, the notices that follow (stream_state to the
// subscriber, publish_layers to the publisher), and the padding probes of its estimator.
#include <algorithm>

#include "room/router.hpp"
#include "room/router_members.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::room {
namespace {

AllocationPriority priority_of(const PublishedTrack& track, bool speaking) {
  if (!track.video) return AllocationPriority::audio;
  if (track.type == TrackType::screen) return AllocationPriority::screen;
  return speaking ? AllocationPriority::speaker : AllocationPriority::camera;
}

}  // namespace

void Router::set_estimate(Member& subscriber, std::uint64_t bitrate, time::Timestamp now) noexcept {
  if (subscriber.estimate == bitrate) return;
  subscriber.estimate = bitrate;
  request_allocation(subscriber, now, false);
}

std::uint64_t Router::estimate(const Member& subscriber) const noexcept {
  return subscriber.estimate;
}

void Router::reserve_scratch() {
  std::size_t links = 0;
  for (const auto& member : members_) links = std::max(links, member->downs.size());
  alloc_in_.reserve(links);
  alloc_out_.reserve(links);
  alloc_rates_.reserve(links * kMaxSpatialLayers);
}

void Router::mark_subscribers(UpTrack& up, time::Timestamp now, bool layers) noexcept {
  for (DownLink* link : up.downs) {
    link->state_dirty = true;
    states_dirty_ = true;
    // Without an estimate there is no bandwidth limit: only a simulcast choice can change.
    if (layers || link->subscriber->estimate != 0) {
      request_allocation(*link->subscriber, now, false);
    }
  }
}

void Router::request_allocation(Member& subscriber, time::Timestamp now, bool urgent) noexcept {
  if (subscriber.downs.empty()) return;
  if (urgent || !subscriber.allocated || now - subscriber.last_allocation >= kAllocationInterval) {
    allocate_for(subscriber, now);
    return;
  }
  subscriber.allocation_dirty = true;
  if (!subscriber.allocation.scheduled()) {
    timers_.schedule(subscriber.allocation, subscriber.last_allocation + kAllocationInterval);
  }
}

void Router::allocate_for(Member& subscriber, time::Timestamp now) noexcept {
  timers_.cancel(subscriber.allocation);
  subscriber.allocation_dirty = false;
  subscriber.allocated = true;
  subscriber.last_allocation = now;
  // The scratch is reserved for the largest subscriber (reserve_scratch): no allocation here,
  // and the spans into alloc_rates_ stay valid.
  alloc_in_.clear();
  alloc_rates_.clear();
  for (const auto& link : subscriber.downs) {
    AllocationInput in;
    in.settings = link->settings;
    const std::size_t first = alloc_rates_.size();
    // A track its publisher turned off (mute, camera off) has no layer: paused, "publisher".
    if (UpTrack* up = link->up; up != nullptr && up->enabled) {
      in.priority = priority_of(up->info, up->owner->speaking);
      const bool any_heard = std::any_of(up->layers.begin(), up->layers.end(),
                                         [](const UpLayer& l) { return l.ssrc != 0; });
      for (std::size_t r = 0; r < up->layers.size(); ++r) {
        const std::size_t index = up->order[r];
        const UpLayer& layer = up->layers[index];
        LayerRate rate;
        rate.bitrate = layer.bitrate;
        rate.width = layer.width;
        rate.height = layer.height;
        if (rate.width == 0 && up->simulcast()) {
          // Until a key frame says, the rid restriction is the best guess of its size.
          rate.width = up->info.layers[index].max_width;
          rate.height = up->info.layers[index].max_height;
        }
        // A layer of a simulcast track is active when the publisher sends it, or when we asked
        // it to stop (publish_layers) and would ask it back. Until any layer is heard, all are.
        rate.active =
            !up->simulcast() || !any_heard ||
            (layer.ssrc != 0 && (!layer.stopped || ((up->active_rids >> index) & 1) == 0));
        alloc_rates_.push_back(rate);
      }
      const int current = link->track.current_layer();
      in.current_layer = link->track.target_layer() < 0 || current < 0 ? -1 : rank_of(*up, current);
      // Forwarding a layer: kept at its lowest during the grace before a bandwidth pause.
      in.keep_lowest = in.current_layer >= 0 && (!link->bandwidth_pause_since ||
                                                 now < *link->bandwidth_pause_since +
                                                           kBandwidthPauseGrace);
    }
    in.layers =
        std::span<const LayerRate>(alloc_rates_.data() + first, alloc_rates_.size() - first);
    alloc_in_.push_back(in);
  }
  alloc_out_.resize(alloc_in_.size());
  // First without a limit: what the tracks could use (the probes' ceiling), then for real.
  allocate(0, alloc_in_, alloc_out_);
  subscriber.wanted = 0;
  for (std::size_t i = 0; i < alloc_in_.size(); ++i) {
    if (alloc_out_[i].layer >= 0 && alloc_out_[i].paused == StreamPause::none) {
      subscriber.wanted +=
          layer_bitrate(alloc_in_[i].priority, alloc_in_[i].layers, alloc_out_[i].layer);
    }
  }
  allocate(subscriber.estimate, alloc_in_, alloc_out_);
  std::optional<time::Timestamp> grace_ends;
  for (std::size_t i = 0; i < subscriber.downs.size(); ++i) {
    DownLink& link = *subscriber.downs[i];
    UpTrack* up = link.up;
    if (up == nullptr) continue;
    const AllocationOutput& out = alloc_out_[i];
    if (out.squeezed) {
      if (!link.bandwidth_pause_since) link.bandwidth_pause_since = now;
      const time::Timestamp ends = *link.bandwidth_pause_since + kBandwidthPauseGrace;
      grace_ends = grace_ends ? std::min(*grace_ends, ends) : ends;
    } else if (out.paused != StreamPause::bandwidth) {
      link.bandwidth_pause_since.reset();
    }
    const int target = out.layer < 0 ? -1 : up->order[static_cast<std::size_t>(out.layer)];
    if (out.paused != link.pause) {
      link.pause = out.paused;
      link.state_dirty = true;
      states_dirty_ = true;
    }
    if (up->info.video) {
      link.track.set_max_temporal_layer(temporal_layer_for_fps(link.settings.max_fps));
    }
    if (target == link.track.target_layer()) continue;
    link.track.set_target_layer(target);
    link.state_dirty = true;
    states_dirty_ = true;
    up->rids_dirty = up->simulcast();
    rids_dirty_ = rids_dirty_ || up->simulcast();
    // The DownTrack waits for a key frame of its new layer: ask for one.
    refresh_waiting(*up);
    if (target >= 0 && up->wants_keyframe(up->layers[static_cast<std::size_t>(target)])) {
      request_keyframe(*up, target, now);
    }
    reschedule(*up);
  }
  // Decide again when a grace ends, whether or not the estimate moves by then.
  if (grace_ends) {
    subscriber.allocation_dirty = true;
    timers_.schedule(subscriber.allocation, *grace_ends);
  }
}

std::uint64_t Router::wanted_bitrate(const Member& subscriber) const noexcept {
  return subscriber.wanted;
}

std::uint64_t Router::forwarded_bitrate(const Member& subscriber) const noexcept {
  std::uint64_t sum = 0;
  for (const auto& link : subscriber.downs) {
    const int current = link->track.current_layer();
    if (link->up == nullptr || link->settings.paused || link->track.target_layer() < 0 ||
        current < 0 || current >= static_cast<int>(link->up->layers.size())) {
      continue;
    }
    sum += link->up->layers[static_cast<std::size_t>(current)].bitrate;
  }
  return sum;
}

StreamState Router::state_of(const DownLink& link) const noexcept {
  StreamState state;
  if (link.settings.paused) {
    state.paused = StreamPause::requested;
  } else if (link.up == nullptr || !link.up->enabled) {
    state.paused = StreamPause::publisher;
  } else if (link.pause != StreamPause::none) {
    state.paused = link.pause;
  } else if (const int current = link.track.current_layer();
             current >= 0 && current < static_cast<int>(link.up->layers.size())) {
    state.width = link.up->layers[static_cast<std::size_t>(current)].width;
    state.height = link.up->layers[static_cast<std::size_t>(current)].height;
  }
  return state;
}

std::vector<StreamStateNotice> Router::take_stream_states() {
  std::vector<StreamStateNotice> out;
  if (!states_dirty_) return out;
  states_dirty_ = false;
  for (auto& member : members_) {
    for (auto& link : member->downs) {
      if (!link->state_dirty) continue;
      link->state_dirty = false;
      if (!link->track.subscription().video) continue;
      const StreamState state = state_of(*link);
      if (state.paused == link->told_pause && state.width == link->told_width &&
          state.height == link->told_height) {
        continue;
      }
      link->told_pause = state.paused;
      link->told_width = state.width;
      link->told_height = state.height;
      StreamStateNotice notice{member->id, state};
      notice.state.track_id = link->track.subscription().track_id;
      out.push_back(std::move(notice));
    }
  }
  return out;
}

std::vector<PublishLayersNotice> Router::take_publish_layers() {
  std::vector<PublishLayersNotice> out;
  if (!rids_dirty_) return out;
  rids_dirty_ = false;
  for (auto& member : members_) {
    for (auto& up : member->ups) {
      if (!up->rids_dirty) continue;
      up->rids_dirty = false;
      if (!up->simulcast()) continue;
      // Needed: each subscriber's target layer, and while it still waits to switch, the layer
      // it forwards until then.
      // A layer never heard stays asked for: a browser starts with its lowest layer and adds the
      // others as its uplink estimate grows, and one told to stop them would never send them.
      std::uint8_t needed = 0;
      for (std::size_t i = 0; i < up->layers.size(); ++i) {
        if (up->layers[i].ssrc == 0) needed |= static_cast<std::uint8_t>(1u << i);
      }
      for (const DownLink* link : up->downs) {
        const int target = link->track.target_layer();
        if (link->settings.paused || target < 0) continue;
        needed |= static_cast<std::uint8_t>(1u << target);
        const int current = link->track.current_layer();
        if (current >= 0 && current != target && link->track.switch_pending()) {
          needed |= static_cast<std::uint8_t>(1u << current);
        }
      }
      if (needed == up->active_rids) continue;
      up->active_rids = needed;
      PublishLayersNotice notice{member->id, up->info.mid, {}};
      for (std::size_t i = 0; i < up->info.layers.size(); ++i) {
        if ((needed >> i) & 1) notice.active.push_back(up->info.layers[i].rid);
      }
      out.push_back(std::move(notice));
    }
  }
  return out;
}

std::size_t Router::send_padding(Member& subscriber, std::size_t bytes,
                                 time::Timestamp now) noexcept {
  // RFC 3550 5.1 padding-only packets, with the subscriber's transport-cc element (RFC 8285,
  // value 0 until the sink stamps it), on any started video track: one paused for bandwidth too,
  // since probing is how it comes back. Not on a track its subscriber paused (hidden tile).
  static constexpr std::array<std::uint8_t, 2> kUnstamped{};
  static constexpr std::size_t kMaxPadding = 255;  // the count is one byte
  std::size_t sent = 0;
  for (auto& link : subscriber.downs) {
    DownTrack& track = link->track;
    const Subscription& sub = track.subscription();
    if (!sub.video || !track.started() || link->settings.paused) continue;
    while (sent < bytes) {
      const auto slot = track.padding_slot(now);
      if (!slot) break;
      rtp::PacketBuilder builder;
      builder.set_payload_type(slot->payload_type & 0x7f)
          .set_sequence_number(slot->seq)
          .set_timestamp(slot->timestamp)
          .set_ssrc(sub.ssrc);
      if (sub.transport_cc_extension_id != 0) {
        builder.add_extension(sub.transport_cc_extension_id, kUnstamped);
      }
      const std::size_t header = builder.serialized_size();
      const std::size_t left = bytes - sent;
      builder.set_padding(static_cast<std::uint8_t>(
          std::clamp<std::size_t>(left > header ? left - header : 1, 1, kMaxPadding)));
      const std::size_t length = builder.write_to(egress_);
      if (length == 0 || !subscriber.sink->send_rtp(egress_, length, SendKind::padding)) return sent;
      sent += length;
    }
    if (sent >= bytes) break;
  }
  return sent;
}

}  // namespace rrtc::room
