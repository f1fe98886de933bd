// The Router's membership and deadlines; forwarding is in router_forward.cpp, simulcast layers in
// router_layers.cpp, allocation in router_allocation.cpp, the RTCP it reads and writes in
// router_rtcp.cpp.
#include "room/router.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <utility>

#include "room/router_members.hpp"

namespace rrtc::room {
namespace {

bool passes(TrackType type, const ParticipantState& state) {
  switch (type) {
    case TrackType::audio:
      return !state.muted;
    case TrackType::camera:
      return state.video_on;
    case TrackType::screen:
      break;
  }
  return state.screen_sharing;
}

// A zero interval would make a deadline due again at the instant it was handled.
RouterOptions checked(RouterOptions options) {
  constexpr time::Duration kLeast{1};
  options.nack.retry_interval = std::max(options.nack.retry_interval, kLeast);
  options.keyframe_retry = std::max(options.keyframe_retry, kLeast);
  options.report_interval = std::max(options.report_interval, kLeast);
  options.rtt_min = std::max(options.rtt_min, kLeast);
  options.rtt_max = std::max(options.rtt_max, options.rtt_min);
  return options;
}

}  // namespace

Router::Router(RouterOptions options, ForwardCounters& counters)
    : options_(checked(std::move(options))),
      counters_(counters),
      ssrc_state_(std::random_device{}() | 1) {}

Router::~Router() = default;

std::uint32_t Router::next_ssrc() noexcept {
  // xorshift32: distinct, never 0.
  do {
    ssrc_state_ ^= ssrc_state_ << 13;
    ssrc_state_ ^= ssrc_state_ >> 17;
    ssrc_state_ ^= ssrc_state_ << 5;
  } while (ssrc_state_ == 0);
  return ssrc_state_;
}

Router::Member& Router::add(std::string id, RouterSink& sink, ParticipantState state) {
  auto member = std::make_unique<Member>();
  member->id = std::move(id);
  member->sink = &sink;
  member->state = state;
  member->rtcp_ssrc = next_ssrc();
  member->speaker = speakers_.add();
  speaker_members_.resize(speakers_.capacity(), nullptr);
  speaker_members_[member->speaker] = member.get();
  speaker_scratch_.reserve(speakers_.capacity());
  member->retransmit_budget =
      ShareBucket(options_.retransmit_budget_percent, options_.retransmit_burst_bytes);
  members_.push_back(std::move(member));
  reserve_timers();
  remb_scratch_.reserve(members_.size());
  return *members_.back();
}

void Router::remove(Member& member) {
  notice_.reset();  // it may name one of the member's tracks
  speakers_.remove(member.speaker);
  speaker_members_[member.speaker] = nullptr;
  timers_.cancel(member);
  timers_.cancel(member.allocation);
  for (auto& up : member.ups) timers_.cancel(*up);
  std::erase_if(members_, [&](const auto& m) { return m.get() == &member; });
  relink();
}

std::size_t Router::subscriptions_of(const Member& member) const noexcept {
  return member.downs.size();
}

std::uint32_t Router::rtcp_ssrc(const Member& member) const noexcept { return member.rtcp_ssrc; }

void Router::reserve_timers() {
  // Every member (reports, allocation) and every published track may be scheduled at once;
  // scheduling on the hot path must not allocate.
  std::size_t nodes = 2 * members_.size();
  for (const auto& member : members_) nodes += member->ups.size();
  timers_.reserve(nodes);
}

void Router::relink() {
  for (auto& member : members_) {
    for (auto& up : member->ups) up->downs.clear();
  }
  for (auto& member : members_) {
    for (auto& link : member->downs) {
      const UpTrack* before = link->up;  // compared only: it may be gone
      link->up = nullptr;
      for (auto& other : members_) {
        if (other.get() == member.get()) continue;
        for (auto& up : other->ups) {
          if (up->info.key != link->track.subscription().track_key) continue;
          link->up = up.get();
          up->downs.push_back(link.get());
          if (link->track.subscription().nack) {
            // One copy of each packet for all its subscribers' resends (allocated once).
            const DownTrackOptions& kept = up->info.video ? options_.video : options_.audio;
            for (auto& layer : up->layers) {
              layer.store.allocate(kept.retransmit_packets, kept.retransmit_age);
            }
          }
        }
      }
      // Another published stream (a new UpTrack, numbered afresh): what was sent from the old
      // one must not be resent from the new one's store.
      if (link->up != before) link->track.forget_sent();
    }
  }
  for (auto& member : members_) {
    for (auto& up : member->ups) {
      refresh_waiting(*up);
      reschedule(*up);
      up->rids_dirty = up->simulcast();
      rids_dirty_ = rids_dirty_ || up->simulcast();
    }
  }
  reserve_scratch();
}

void Router::refresh_waiting(UpTrack& up) noexcept {
  for (auto& layer : up.layers) layer.awaiting_keyframe = false;
  for (const DownLink* link : up.downs) {
    const int target = link->track.target_layer();
    if (link->settings.paused || target < 0 || target >= static_cast<int>(up.layers.size())) {
      continue;
    }
    if (link->track.waiting_keyframe() || link->track.switch_pending()) {
      up.layers[static_cast<std::size_t>(target)].awaiting_keyframe = true;
    }
  }
}

void Router::reschedule(UpTrack& up) noexcept {
  std::optional<time::Timestamp> due;
  // Never sooner than the rate limit lets a request through, so the deadline does work.
  const auto retry = std::max(options_.keyframe_retry, options_.keyframe_min_interval);
  for (auto& layer : up.layers) {
    if (up.nackable(layer)) {
      const auto nack = layer.nacks.next_due();
      if (nack && (!due || *nack < *due)) due = nack;
    }
    if (up.wants_keyframe(layer)) {
      const time::Timestamp keyframe = layer.last_keyframe_request + retry;
      if (!due || keyframe < *due) due = keyframe;
    }
  }
  if (due) {
    timers_.schedule(up, *due);
  } else {
    timers_.cancel(up);
  }
}

void Router::publish(Member& member, const std::vector<PublishedTrack>& tracks,
                     time::Timestamp now) {
  std::vector<std::unique_ptr<UpTrack>> next;
  next.reserve(tracks.size());
  for (const auto& track : tracks) {
    // A track keeps its state (learned SSRCs, stats, sequence state) while its key, its
    // SSRC and its layers stay.
    const auto it = std::find_if(member.ups.begin(), member.ups.end(), [&](const auto& up) {
      if (up == nullptr || up->info.key != track.key) return false;
      if (up->info.layers.size() != track.layers.size()) return false;
      for (std::size_t i = 0; i < track.layers.size(); ++i) {
        if (up->info.layers[i].rid != track.layers[i].rid) return false;
      }
      return track.ssrc == 0 || up->layers[0].ssrc == track.ssrc;
    });
    std::unique_ptr<UpTrack> up;
    if (it != member.ups.end()) {
      up = std::move(*it);
      up->info = track;
      up->take_signalled_ssrcs();
      up->index_codecs();
    } else {
      up = std::make_unique<UpTrack>(track, &member, options_);
    }
    up->enabled = passes(track.type, member.state);
    reorder(*up);
    next.push_back(std::move(up));
  }
  for (auto& gone : member.ups) {
    if (gone != nullptr) timers_.cancel(*gone);
  }
  notice_.reset();
  member.ups = std::move(next);
  reserve_timers();
  relink();
  // Their subscribers get layers of the new tracks at once.
  for (auto& up : member.ups) {
    for (DownLink* link : up->downs) request_allocation(*link->subscriber, now, true);
  }
  // Subscribers already waiting for these tracks (a publisher that re-offered) get a key frame.
  for (auto& up : member.ups) {
    if (up->wants_keyframe()) {
      request_keyframe(*up, now);
      reschedule(*up);
    }
  }
}

void Router::subscribe(Member& member, const std::vector<Subscription>& subscriptions,
                       time::Timestamp now) {
  std::vector<std::unique_ptr<DownLink>> next;
  std::vector<DownLink*> fresh;
  next.reserve(subscriptions.size());
  for (const auto& subscription : subscriptions) {
    const auto it = std::find_if(member.downs.begin(), member.downs.end(), [&](const auto& link) {
      return link != nullptr && link->track.subscription().track_key == subscription.track_key &&
             link->track.ssrc() == subscription.ssrc;
    });
    if (it != member.downs.end()) {
      (*it)->track.update(subscription);
      next.push_back(std::move(*it));
      continue;
    }
    next.push_back(std::make_unique<DownLink>(
        subscription, subscription.video ? options_.video : options_.audio, now, &member));
    fresh.push_back(next.back().get());
  }
  member.downs = std::move(next);
  relink();
  request_allocation(member, now, true);  // the new links' first layers
  for (DownLink* link : fresh) {
    if (link->up != nullptr && link->up->wants_keyframe()) {
      request_keyframe(*link->up, now);
      reschedule(*link->up);
    }
  }
}

void Router::set_state(Member& member, ParticipantState state, time::Timestamp now) {
  if (state.muted) speakers_.reset(member.speaker);  // a muted participant is not a speaker
  member.state = state;
  for (auto& up : member.ups) {
    const bool on = passes(up->info.type, state);
    const bool was = up->enabled;
    if (on && !up->enabled) {
      for (DownLink* link : up->downs) link->track.resync(now);
      up->enabled = true;
      refresh_waiting(*up);
      if (up->info.video) request_keyframe(*up, now);
    }
    up->enabled = on;
    reschedule(*up);
    if (on == was) continue;
    // stream_state says "publisher" while it is off, and its bandwidth goes to the others.
    for (DownLink* link : up->downs) {
      link->state_dirty = true;
      states_dirty_ = true;
      request_allocation(*link->subscriber, now, true);
    }
  }
}

void Router::on_connected(Member& member, time::Timestamp now) {
  for (auto& link : member.downs) {
    link->track.resync(now);
    if (link->up == nullptr) continue;
    refresh_waiting(*link->up);
    if (link->up->wants_keyframe()) request_keyframe(*link->up, now);
    reschedule(*link->up);
  }
  // Key-frame requests sent to `member` before its transport was up were lost: its tracks that
  // subscribers wait on are asked again now, past the rate limit.
  for (auto& up : member.ups) {
    if (!up->wants_keyframe()) continue;
    for (auto& layer : up->layers) layer.requested = false;
    request_keyframe(*up, now);
    reschedule(*up);
  }
}

bool Router::set_track_settings(Member& member, const TrackSettingsUpdate& update,
                                time::Timestamp now) {
  const auto it = std::find_if(member.downs.begin(), member.downs.end(), [&](const auto& link) {
    return link->track.subscription().track_id == update.track_id;
  });
  if (it == member.downs.end()) return false;
  DownLink& link = **it;
  const bool was_paused = link.settings.paused;
  const TrackSettings before = link.settings;
  if (update.paused) link.settings.paused = *update.paused;
  if (update.max_width) link.settings.max_width = *update.max_width;
  if (update.max_height) link.settings.max_height = *update.max_height;
  if (update.max_fps) link.settings.max_fps = *update.max_fps;
  if (was_paused && !link.settings.paused) {
    // As when a track resumes: continue the stream at the next key frame (asked for by the
    // allocation below, which gives it a layer again).
    link.track.resync(now);
  }
  if (before != link.settings) request_allocation(member, now, true);
  return true;
}

std::optional<TrackSettings> Router::track_settings(const Member& member,
                                                    std::string_view track_id) const noexcept {
  for (const auto& link : member.downs) {
    if (link->track.subscription().track_id == track_id) return link->settings;
  }
  return std::nullopt;
}

void Router::departed(time::Timestamp arrived, time::Timestamp departed) noexcept {
  if (undeparted_copies_ == 0) return;
  const auto elapsed = departed - arrived;
  // Media time has microseconds; the histogram counts nanoseconds.
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  counters_.hop_latency.observe(nanoseconds > 0 ? static_cast<std::uint64_t>(nanoseconds) : 0,
                                undeparted_copies_);
  undeparted_copies_ = 0;
}

void Router::handle_timeout(time::Timestamp now) noexcept {
  // Each handler leaves its node unscheduled or due after `now`, so this ends.
  while (TimerNode* node = timers_.pop_due(now)) {
    auto& timer = static_cast<Timer&>(*node);
    switch (timer.kind) {
      case Timer::Kind::track:
        on_track_due(static_cast<UpTrack&>(timer), now);
        break;
      case Timer::Kind::reports:
        on_reports_due(static_cast<Member&>(timer), now);
        break;
      case Timer::Kind::allocation:
        allocate_for(*static_cast<AllocationTimer&>(timer).member, now);
        break;
    }
  }
}

void Router::on_track_due(UpTrack& up, time::Timestamp now) noexcept {
  const auto retry = std::max(options_.keyframe_retry, options_.keyframe_min_interval);
  for (std::size_t i = 0; i < up.layers.size(); ++i) {
    UpLayer& layer = up.layers[i];
    if (up.nackable(layer)) {
      if (const auto due = layer.nacks.next_due(); due && *due <= now) send_nacks(up, layer, now);
    }
    if (up.wants_keyframe(layer) && layer.last_keyframe_request + retry <= now) {
      request_keyframe(up, static_cast<int>(i), now);
    }
  }
  reschedule(up);
}

void Router::on_reports_due(Member& member, time::Timestamp now) noexcept {
  // A silent publisher is left unscheduled; its next packet schedules it again.
  if (send_reports(member, now)) timers_.schedule(member, now + options_.report_interval);
}

}  // namespace rrtc::room
