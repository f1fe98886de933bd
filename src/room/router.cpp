// The Router's membership, forwarding and deadlines; the RTCP it reads and writes is in
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
  for (auto& up : member.ups) timers_.cancel(*up);
  std::erase_if(members_, [&](const auto& m) { return m.get() == &member; });
  relink();
}

std::size_t Router::subscriptions_of(const Member& member) const noexcept {
  return member.downs.size();
}

std::uint32_t Router::rtcp_ssrc(const Member& member) const noexcept { return member.rtcp_ssrc; }

void Router::reserve_timers() {
  // Every member and every published track may be scheduled at once; scheduling on the hot
  // path must not allocate.
  std::size_t nodes = members_.size();
  for (const auto& member : members_) nodes += member->ups.size();
  timers_.reserve(nodes);
}

void Router::relink() {
  for (auto& member : members_) {
    for (auto& up : member->ups) up->downs.clear();
  }
  for (auto& member : members_) {
    for (auto& link : member->downs) {
      link->up = nullptr;
      for (auto& other : members_) {
        if (other.get() == member.get()) continue;
        for (auto& up : other->ups) {
          if (up->info.key != link->track.subscription().track_key) continue;
          link->up = up.get();
          up->downs.push_back(link.get());
        }
      }
    }
  }
  for (auto& member : members_) {
    for (auto& up : member->ups) {
      refresh_waiting(*up);
      reschedule(*up);
    }
  }
}

void Router::refresh_waiting(UpTrack& up) noexcept {
  up.awaiting_keyframe = std::any_of(up.downs.begin(), up.downs.end(),
                                     [](const DownLink* l) {
                                       return !l->settings.paused && l->track.waiting_keyframe();
                                     });
}

void Router::reschedule(UpTrack& up) noexcept {
  std::optional<time::Timestamp> due;
  if (up.nackable()) due = up.nacks.next_due();
  if (up.wants_keyframe()) {
    // Never sooner than the rate limit lets a request through, so the deadline does work.
    const auto retry = std::max(options_.keyframe_retry, options_.keyframe_min_interval);
    const time::Timestamp keyframe = up.last_keyframe_request + retry;
    if (!due || keyframe < *due) due = keyframe;
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
    const auto it = std::find_if(member.ups.begin(), member.ups.end(), [&](const auto& up) {
      return up != nullptr && up->info.key == track.key &&
             (track.ssrc == 0 || up->info.ssrc == track.ssrc);
    });
    std::unique_ptr<UpTrack> up;
    if (it != member.ups.end()) {
      up = std::move(*it);
      const std::uint32_t learned = up->info.ssrc;
      up->info = track;
      if (up->info.ssrc == 0) up->info.ssrc = learned;
      up->index_codecs();
    } else {
      up = std::make_unique<UpTrack>(track, &member, options_);
    }
    up->enabled = passes(track.type, member.state);
    next.push_back(std::move(up));
  }
  for (auto& gone : member.ups) {
    if (gone != nullptr) timers_.cancel(*gone);
  }
  notice_.reset();
  member.ups = std::move(next);
  reserve_timers();
  relink();
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
    if (on && !up->enabled) {
      for (DownLink* link : up->downs) link->track.resync(now);
      up->enabled = true;
      refresh_waiting(*up);
      if (up->info.video) request_keyframe(*up, now);
    }
    up->enabled = on;
    reschedule(*up);
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
    up->requested = false;
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
  if (update.paused) link.settings.paused = *update.paused;
  if (update.max_width) link.settings.max_width = *update.max_width;
  if (update.max_height) link.settings.max_height = *update.max_height;
  if (update.max_fps) link.settings.max_fps = *update.max_fps;
  if (was_paused && !link.settings.paused) {
    // As when a track resumes: continue the stream at the next key frame, asked for now.
    link.track.resync(now);
    if (link.up != nullptr) {
      refresh_waiting(*link.up);
      if (link.up->wants_keyframe()) request_keyframe(*link.up, now);
      reschedule(*link.up);
    }
  }
  return true;
}

std::optional<TrackSettings> Router::track_settings(const Member& member,
                                                    std::string_view track_id) const noexcept {
  for (const auto& link : member.downs) {
    if (link->track.subscription().track_id == track_id) return link->settings;
  }
  return std::nullopt;
}

Router::UpTrack* Router::find_up(Member& member, std::uint32_t ssrc) noexcept {
  for (auto& up : member.ups) {
    if (up->info.ssrc == ssrc || (up->info.rtx_ssrc != 0 && up->info.rtx_ssrc == ssrc)) {
      return up.get();
    }
  }
  return nullptr;
}

Router::DownLink* Router::find_down(Member& member, std::uint32_t ssrc) noexcept {
  for (auto& link : member.downs) {
    if (link->track.ssrc() == ssrc) return link.get();
  }
  return nullptr;
}

void Router::on_rtp(Member& from, std::span<std::uint8_t> bytes, time::Timestamp now) noexcept {
  auto parsed = rtp::Packet::parse(bytes);
  if (!parsed) {
    counters_.unroutable_packets.increment();
    return;
  }
  rtp::Packet packet = *parsed;
  UpTrack* up = find_up(from, packet.ssrc());
  if (up == nullptr) {
    // No a=ssrc for this track: bind the SSRC the first time a packet names the track's mid.
    for (auto& candidate : from.ups) {
      if (candidate->info.ssrc != 0 || candidate->info.mid_extension_id == 0) continue;
      const auto mid = packet.extension(candidate->info.mid_extension_id);
      if (!mid || candidate->codec_of[packet.payload_type()] < 0) continue;
      if (std::equal(mid->begin(), mid->end(), candidate->info.mid.begin(),
                     candidate->info.mid.end())) {
        candidate->info.ssrc = packet.ssrc();
        up = candidate.get();
        // Subscribers waited for this track before it could be asked for a key frame.
        if (up->wants_keyframe()) request_keyframe(*up, now);
        break;
      }
    }
  }
  if (up == nullptr || up->info.ssrc == 0) {
    counters_.unroutable_packets.increment();
    return;
  }
  const bool admitted = admit(*up, bytes.size(), now);
  const std::int8_t repaired = up->rtx_of[packet.payload_type()];
  if (repaired >= 0 || packet.ssrc() != up->info.ssrc) {
    if (!admitted) return;  // a dropped repair stays missing: the NACK tracker asks again
    // RFC 4588: the original sequence number, then the original payload. Unwrapped in place.
    const auto payload = packet.payload();
    if (repaired < 0 || payload.size() < 2) return;  // padding-only probe, or not RTX
    const auto original = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    const std::size_t header = packet.header_size();
    std::memmove(bytes.data() + header, bytes.data() + header + 2, bytes.size() - header - 2);
    bytes = bytes.first(bytes.size() - 2);
    auto unwrapped = rtp::Packet::parse(bytes);
    if (!unwrapped) return;
    packet = *unwrapped;
    packet.set_sequence_number(original);
    packet.set_payload_type(up->info.codecs[static_cast<std::size_t>(repaired)].payload_type);
    packet.set_ssrc(up->info.ssrc);
  }
  if (up->codec_of[packet.payload_type()] < 0) {
    counters_.unroutable_packets.increment();
    return;
  }
  const std::int64_t extended = up->seq.unwrap(packet.sequence_number());
  up->stats.on_packet(packet.sequence_number(), packet.timestamp(), now.time_since_epoch());
  if (up->nacks.on_packet(extended, now)) counters_.packets_recovered.increment();
  up->heard = true;
  if (repaired < 0 && admitted) observe_level(from, *up, packet, now);
  if (!from.scheduled()) timers_.schedule(from, now + options_.report_interval);
  if (admitted && !up->downs.empty()) {
    if (!up->enabled) {
      counters_.filtered_packets.increment();
    } else {
      forward(*up, bytes, extended, now);
      // A key frame (or the wait limit) may have started the subscribers that waited.
      if (up->awaiting_keyframe) refresh_waiting(*up);
    }
  }
  reschedule(*up);
}

void Router::forward(UpTrack& up, std::span<std::uint8_t> bytes, std::int64_t extended,
                     time::Timestamp now) noexcept {
  if (bytes.size() > kMaxForwardedPacket) {
    counters_.unroutable_packets.increment();
    return;
  }
  const std::uint8_t payload_type = bytes[1] & 0x7f;
  const auto& codec = up.info.codecs[static_cast<std::size_t>(up.codec_of[payload_type])];
  int keyframe = -1;  // probed once, only when a subscriber waits for one
  for (DownLink* link : up.downs) {
    if (link->settings.paused) continue;
    std::memcpy(egress_.data(), bytes.data(), bytes.size());
    auto copy = rtp::Packet::parse(std::span<std::uint8_t>(egress_.data(), bytes.size()));
    if (!copy) return;
    if (keyframe < 0 && link->track.waiting_keyframe()) {
      keyframe = codec.video_codec && rtp::is_keyframe(*codec.video_codec, copy->payload()) ? 1 : 0;
    }
    const auto result = link->track.forward(*copy, extended, keyframe == 1, now);
    if (result != ForwardResult::forwarded) {
      if (result == ForwardResult::waiting_keyframe) counters_.waiting_keyframe.increment();
      continue;
    }
    const std::span<const std::uint8_t> plain(egress_.data(), bytes.size());
    link->track.remember(plain, now);
    if (link->subscriber->sink->send_rtp(egress_, bytes.size())) {
      link->subscriber->retransmit_budget.earn(bytes.size());
      counters_.forwarded_packets.increment();
      counters_.forwarded_bytes.add(bytes.size());
      ++undeparted_copies_;
    }
  }
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
    }
  }
}

void Router::on_track_due(UpTrack& up, time::Timestamp now) noexcept {
  if (up.nackable()) {
    if (const auto due = up.nacks.next_due(); due && *due <= now) send_nacks(up, now);
  }
  if (up.wants_keyframe()) {
    const auto retry = std::max(options_.keyframe_retry, options_.keyframe_min_interval);
    if (up.last_keyframe_request + retry <= now) request_keyframe(up, now);
  }
  reschedule(up);
}

void Router::on_reports_due(Member& member, time::Timestamp now) noexcept {
  // A silent publisher is left unscheduled; its next packet schedules it again.
  if (send_reports(member, now)) timers_.schedule(member, now + options_.report_interval);
}

}  // namespace rrtc::room
